#pragma once
/* posix_spawn's attribute and file-action objects (the package's <spawn.h>
 * makes both opaque pointers). */
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <keel/spawndata.h>

#pragma GCC visibility push(hidden)

struct __posix_spawnattr {
	short flags;                    /* POSIX_SPAWN_* */
	pid_t pgroup;
	int policy;
	struct sched_param param;
	sigset_t sigmask, sigdefault;
	unsigned devlen;                /* posix_spawnattr_keel_device's strings */
	char devices[256];
};

/* The file actions, already in the startup data's encoding
 * (<keel/spawndata.h>): acts is a growing buffer of records. */
struct __posix_spawn_file_actions {
	unsigned nacts;
	size_t len, cap;
	unsigned char *acts;
};

/* One _PROC_SPAWN or _PROC_EXEC (type) message to taskman: the new pid
 * (spawn), no return (a successful exec), or -errno. */
int __proc_image(unsigned type, const char *path, const posix_spawn_file_actions_t *fa,
		 const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);
/* __proc_image, and for a path taskman does not have (a file outside the
 * boot image) its "#!" interpreter, as exec runs one (exec.c). */
int __proc_image_or_script(unsigned type, const char *path, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);

/* posix_spawnp's and execvp's search: try(dir/file, ctx) for each PATH
 * directory; try returns 0 or an errno.  The first result other than
 * ENOENT, ENOTDIR or EACCES; else EACCES if seen, else ENOENT. */
int __path_search(const char *file, int (*try)(const char *path, void *ctx), void *ctx);

#pragma GCC visibility pop
