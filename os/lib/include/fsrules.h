#pragma once
/* The POSIX.1-2017 rules the file-system servers (tmpfs, fs-keel) apply to
 * a connect message the same way, before their own code looks at or
 * changes anything: what an open, a removal, a new name or a rename may do
 * given the names and attributes the server's walk found.  Each returns 0
 * or the errno the caller answers with.  `rdonly`: the volume is mounted
 * read-only (tmpfs never is).  Code for user programs (libc's resmgr). */
#include <stdbool.h>
#include <stdint.h>
#include <sys/resmgr.h>

/* "." or "..": names no call may make or remove. */
bool fsrules_is_dot(const char *name);

/* open: what it does with what the walk found (exists: the last name is
 * there).  0 with *create false: open the existing object (after
 * fsrules_open_existing); 0 with *create true: make a regular file;
 * otherwise EINVAL (both access bits), EEXIST (O_CREAT|O_EXCL), ENOENT,
 * EISDIR (a new name ending in '/'). */
int fsrules_open(const struct _io_connect *msg, bool exists, bool *create);

/* An open of the existing object with attribute a: a link that O_NOFOLLOW
 * met (ELOOP), a directory wanted (ENOTDIR), a directory for writing
 * (EISDIR), the client's read and write permission, writing on a
 * read-only volume (EROFS). */
int fsrules_open_existing(resmgr_context_t *ctp, const struct _io_connect *msg,
			  const iofunc_attr_t *a, bool rdonly);

/* May the client add or remove names in directory d (attribute), and
 * remove the object with attribute victim (NULL: none) under the sticky
 * bit?  EACCES, EROFS, EPERM. */
int fsrules_may_change(resmgr_context_t *ctp, const iofunc_attr_t *d,
		       const iofunc_attr_t *victim, bool rdonly);

/* unlink (msg->mode not a directory) or rmdir of the object with attribute
 * a named name in its directory (at_mount: the path names the mount
 * itself): EBUSY, EINVAL or EPERM for a dot name, ENOTDIR, EPERM (unlink
 * of a directory).  Emptiness and permission are the caller's. */
int fsrules_remove(const struct _io_connect *msg, bool at_mount, const char *name,
		   const iofunc_attr_t *a);

/* mknod (mkdir) of a name (exists: it is there): EEXIST, EPERM for a type
 * the server does not make (directories and regular files always; FIFOs
 * when fifos), ENOTDIR for a path ending in '/' naming no directory. */
int fsrules_mknod(const struct _io_connect *msg, bool exists, bool fifos);

/* A new name (not a dot name) in directory d for the client: its owner
 * (the client's effective ids; the directory's group when it has the
 * set-group-id bit, which a new directory inherits: *setgid) and its
 * permission bits from mode and the client's umask (a link: 0777). */
int fsrules_new_owner(resmgr_context_t *ctp, const iofunc_attr_t *d, uint32_t *uid,
		      uint32_t *gid, uint32_t *setgid);
uint32_t fsrules_new_perm(uint32_t mode, uint32_t umask);

/* rename's rules on the names: either end is the mount itself (EBUSY), a
 * dot name (EINVAL).  fsrules_rename_source: a source that is not a
 * directory named with a trailing '/' (ENOTDIR). */
int fsrules_rename_names(bool from_mount, const char *from, bool to_mount, const char *to);
int fsrules_rename_source(const struct _io_connect *msg, const iofunc_attr_t *s);

/* ---- the walk ---------------------------------------------------------------------- */

/* How a server's objects are walked: handles are its own (an inode number,
 * a node's address), 0 for none; name_max bounds a component. */
struct fswalk_ops {
	size_t name_max;
	/* Directory cur's entry name (n bytes, not NUL-terminated) in *next (0:
	 * no such name), once the client may search cur (ENOTDIR when cur is
	 * no directory): 0 or an errno. */
	int (*step)(resmgr_context_t *ctp, uintptr_t cur, const char *name, size_t n,
		    uintptr_t *next);
	/* Whether h is a symbolic link: 1, 0, or -errno. */
	int (*is_link)(uintptr_t h);
	/* The reply for link h met where path's first `at` bytes end, rest
	 * following it (resmgr_link_reply): RESMGR_DONE or an errno. */
	int (*link_reply)(resmgr_context_t *ctp, const char *path, size_t at, uintptr_t h,
			  const char *rest);
};

#define FSWALK_FOLLOW  1u               /* a last component that is a link is followed */
#define FSWALK_NOLINK  2u               /* a second path: a link on the way is EXDEV */

/* Walks path (relative to the mount, NUL-terminated) from root: *dir and
 * name (ops->name_max + 1 bytes) the last component's directory and name
 * (the mount itself: 0 and ""), *obj what it names (0: none).  0, an errno,
 * or RESMGR_DONE when it met a link and replied the rewritten path. */
int fswalk(resmgr_context_t *ctp, const struct fswalk_ops *ops, uintptr_t root,
	   const char *path, unsigned flags, uintptr_t *dir, uintptr_t *obj, char *name);
