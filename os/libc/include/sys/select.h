#pragma once
/* <sys/select.h>: the package's, with FD_SETSIZE at the most descriptors a
 * Keel process can have (its 256 connections, ordinary and side ones:
 * OPEN_MAX, RLIMIT_NOFILE's ceiling).  The package's 64 let FD_SET, and
 * select's own clearing of bits, write past an fd_set for a descriptor
 * above 63.  A program that defines FD_SETSIZE itself keeps its own. */
#ifndef FD_SETSIZE
#define FD_SETSIZE 256
#endif
#include_next <sys/select.h>
