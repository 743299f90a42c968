#pragma once
/* <sys/ioctl.h>: the requests Keel's servers answer, over _IO_DEVCTL
 * (their numbers are <keel/iomsg.h>'s _DCMD_*). */
#include <stdint.h>
#include <keel/iomsg.h>

struct winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};

#define TIOCGWINSZ _DCMD_TERM_GETWINSZ
#define TIOCSWINSZ _DCMD_TERM_SETWINSZ
#define FIONREAD   _DCMD_FIONREAD

int ioctl(int fd, unsigned long request, ...);
