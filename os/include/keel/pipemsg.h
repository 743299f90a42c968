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
 * holds, goes when its last open closes. */
#define PIPE_SERVER_PATH  "/dev/pipe"
#define _DCMD_PIPE_ID     0x7001u      /* out: int32 the pipe's number */
#define PIPE_FIFO_PREFIX  PIPE_SERVER_PATH "/fifo/"
