#pragma once
/* The path space's own symbolic links (taskman's path manager, QNX's
 * <sys/pathmgr.h>): pathmgr_symlink(path, symlink) makes the name symlink
 * (absolute) stand for path, for every process, until the caller ends.
 * Root only (EPERM).  A server's name longer than the link still wins (a
 * mount inside the link).  0, or -1 and errno. */
int pathmgr_symlink(const char *path, const char *symlink);
