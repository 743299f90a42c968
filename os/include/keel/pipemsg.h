#pragma once
/* The pipe server's names and devctls (os/servers/pipe, libc's pipe()).
 *
 * open("/dev/pipe", O_RDONLY) makes a new pipe and is its read end;
 * _DCMD_PIPE_ID on that descriptor replies the pipe's number (int32);
 * open("/dev/pipe/<number>", O_WRONLY) is then its write end.  Any open
 * of a numbered pipe joins it, on the end its O_ACCMODE names.
 *
 * FIFOs (mkfifo): a file system keeps the S_IFIFO node (its name, owner,
 * mode) and answers an open of it, once the permission check passed, with
 * a link reply to "/dev/pipe/fifo/<dev>.<ino>" (the node's st_dev and
 * st_ino in decimal), so every open of one node meets one pipe here.  That
 * open waits for the other end as POSIX says: O_RDONLY until a writer
 * opens, O_WRONLY until a reader does; with O_NONBLOCK a reader is answered
 * at once and a writer with no reader gets ENXIO.  The pipe, and what it
 * holds, goes when its last open closes.
 *
 * That name alone opens nothing: the permission check was the file
 * system's, so before its link reply the file system grants the open to
 * the pipe server (_DCMD_PIPE_FIFO_GRANT on a descriptor of the pipe
 * server, from a root process: struct pipe_fifo_grant), and an open of
 * "/dev/pipe/fifo/..." is let through only with a grant for that client
 * process, node and end, made less than PIPE_FIFO_GRANT_NS ago, which it
 * uses up; without one it is EACCES (else anyone could open any FIFO by
 * its number, whatever its mode and directories said). */
#define PIPE_SERVER_PATH  "/dev/pipe"
#define _DCMD_PIPE_ID     0x7001u      /* out: int32 the pipe's number */
#define PIPE_FIFO_PREFIX  PIPE_SERVER_PATH "/fifo/"
#define _DCMD_PIPE_FIFO_GRANT 0x7002u  /* in: struct pipe_fifo_grant */
#define PIPE_FIFO_GRANT_NS 10000000000ull      /* 10 s to follow the link */

#include <stdint.h>

struct pipe_fifo_grant {
	int32_t pid;                    /* the client the file system answered */
	uint32_t mode;                  /* O_RDONLY or O_WRONLY: the end it may open */
	uint64_t dev, ino;              /* the node, as in the link */
};
