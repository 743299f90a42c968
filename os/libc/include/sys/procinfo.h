#pragma once
/* Keel: what taskman tells about processes (its _PROC_INFO message,
 * <keel/procmsg.h>), for tools such as pidin, slay and shutdown. */
#include <sys/types.h>
#include <keel/procmsg.h>

/* The information of process pid (0: the caller), or with next set of the
 * first live process whose pid is above pid, so a walk over every process
 * starts at 0.  0, or -1 with errno (ESRCH: no such process, none left). */
int proc_info(pid_t pid, int next, struct _proc_info *info);

/* proc_info of pid (0: the caller) and its argument strings, NUL-separated,
 * into args (at most size bytes).  The bytes of arguments stored, or -1
 * with errno (ESRCH). */
long proc_args(pid_t pid, struct _proc_info *info, char *args, size_t size);

/* init's pid: the one process taskman started itself (the live process
 * whose parent is taskman), or -1 with errno ESRCH. */
pid_t proc_init_pid(void);

/* The names one level below dir, a directory of the path space (one that
 * no server's name is, with names below it: /dev), from position from (0:
 * the first; an entry's next continues after it) into e (max entries).
 * How many were stored (0: none left), or -1 with errno (ENOENT: dir is
 * no such directory). */
long proc_path_list(const char *dir, uint32_t from, struct _proc_path_entry *e, size_t max);
/* As proc_path_list, for any directory dir (absolute and clean): the names
 * of the path space one level below it, also where a file system serves
 * dir itself (what is mounted in it); 0 when none lies below. */
long proc_path_below(const char *dir, uint32_t from, struct _proc_path_entry *e, size_t max);
/* The inode number of a directory of the path space, dir/name (name ""
 * for dir itself): bit 31 and a hash of the joined path, the same for a
 * listing (readdir's d_ino) and for the directory's own stat. */
uint64_t proc_path_ino(const char *dir, const char *name);
