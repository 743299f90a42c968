#pragma once
/* The pipe server's names and devctls (os/servers/pipe, libc's pipe()).
 *
 * open("/dev/pipe", O_RDONLY) makes a new pipe and is its read end;
 * _DCMD_PIPE_ID on that descriptor replies the pipe's number (int32);
 * open("/dev/pipe/<number>", O_WRONLY) is then its write end.  Any open
 * of a numbered pipe joins it, on the end its O_ACCMODE names. */
#define PIPE_SERVER_PATH  "/dev/pipe"
#define _DCMD_PIPE_ID     0x7001u      /* out: int32 the pipe's number */
