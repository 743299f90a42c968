/* stdin, stdout and stderr: the package's buffered streams over fds 0, 1
 * and 2.  stdout is line-buffered (each line reaches the console as one
 * write), stderr unbuffered in spirit (a small line buffer, flushed at
 * every newline).  exit() flushes both through the destructor below. */
#include <stdio.h>
#include <stdio-bufio.h>
#include <unistd.h>

static char inbuf[256], outbuf[512], errbuf[256];

static struct __file_bufio in = FDEV_SETUP_BUFIO(0, inbuf, sizeof inbuf, read, write, lseek,
						 close, __SRD, 0);
static struct __file_bufio out = FDEV_SETUP_BUFIO(1, outbuf, sizeof outbuf, read, write, lseek,
						  close, __SWR, __BLBF);
static struct __file_bufio err = FDEV_SETUP_BUFIO(2, errbuf, sizeof errbuf, read, write, lseek,
						  close, __SWR, __BLBF);

FILE *const stdin = &in.xfile.cfile.file;
FILE *const stdout = &out.xfile.cfile.file;
FILE *const stderr = &err.xfile.cfile.file;

__attribute__((destructor)) static void flush_std(void)
{
	fflush(stdout);
	fflush(stderr);
}

/* The streams' locks (NULL in the static initialisers, which a NULL-safe
 * __retarget_lock_* treats as "no lock") are made before main runs, so
 * threads may share the streams. */
__attribute__((constructor)) static void lock_std(void)
{
	__bufio_lock_init(stdin);
	__bufio_lock_init(stdout);
	__bufio_lock_init(stderr);
}
