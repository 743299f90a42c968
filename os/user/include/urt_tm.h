#pragma once
/* A small client of taskman's messages (<keel/procmsg.h>) for programs on
 * the freestanding runtime (test programs; libc has the real thing).  Each
 * returns the result or a negated errno (the Foo_r shape). */
#include <stddef.h>
#include <stdint.h>
#include <keel/procmsg.h>

/* The side-channel connection to taskman, attached on first use. */
int urt_tm_coid(void);
/* Send a whole message to taskman; the reply (up to rbytes) into r. */
long urt_tm_send(const void *msg, size_t bytes, void *r, size_t rbytes);
/* Spawn path with argv and envp (NULL-terminated; envp may be NULL);
 * flags/pgroup as struct _proc_spawn; data passed to the child.  Any
 * thread may spawn (and exec) at once with others; the message is built on
 * the caller's stack, which needs its size (at most 16 KiB: more is E2BIG)
 * and 1 KiB free. */
int urt_tm_spawn(const char *path, const char *const *argv, const char *const *envp,
		 uint32_t flags, int32_t pgroup, const void *data, size_t datalen);
/* Spawn a driver child (flags with _PROC_SPAWN_IOPRIV) that may map the
 * devices named by `devices`: devlen bytes of NUL-terminated device-tree
 * `compatible` strings (<keel/procmsg.h>); no environment, no data. */
int urt_tm_spawn_devices(const char *path, const char *const *argv, uint32_t flags,
			 const char *devices, size_t devlen);
/* exec: returns only on failure (-errno). */
int urt_tm_exec(const char *path, const char *const *argv, const char *const *envp);
/* fork: the child's pid in the parent, 0 in the child, or -errno. */
int urt_tm_fork(void);
/* _PROC_WAIT: the child's pid (0 with WNOHANG and nothing yet). */
int urt_tm_wait(int idtype, int id, uint32_t options, struct _proc_wait_reply *r);
/* _PROC_GETIDS of pid (0: the caller). */
int urt_tm_ids(int pid, struct _proc_ids *ids);
