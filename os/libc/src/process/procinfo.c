/* Keel's process information (<sys/procinfo.h>): taskman's _PROC_INFO, and
 * its listing of the path space's directories (_PROC_PATH_LIST). */
#include <errno.h>
#include <string.h>
#include <sys/procinfo.h>
#include "libc.h"

int proc_info(pid_t pid, int next, struct _proc_info *info)
{
	struct _proc_info_req m = { .hdr = { .type = _PROC_INFO,
					     .subtype = next ? _PROC_INFO_NEXT : 0 },
				    .pid = pid };
	int tm = __taskman_coid();

	if (tm < 0)
		return -1;
	long r = MsgSend_r(tm, &m, sizeof m, info, sizeof *info);
	return r < 0 ? (int)__syscall_ret(r) : 0;
}

pid_t proc_init_pid(void)
{
	struct _proc_info info;
	pid_t pid = 0;

	while (proc_info(pid, 1, &info) == 0) {
		pid = info.pid;
		if (info.ppid == TASKMAN_PID && pid != TASKMAN_PID &&
		    info.state != _PROC_STATE_ZOMBIE)
			return pid;
	}
	return -1;
}

long proc_args(pid_t pid, struct _proc_info *info, char *args, size_t size)
{
	struct _proc_info_req m = { .hdr = { .type = _PROC_INFO }, .pid = pid };
	iov_t r[2];
	int tm = __taskman_coid();

	if (tm < 0)
		return -1;
	SETIOV(&r[0], info, sizeof *info);
	SETIOV(&r[1], args, size);
	long n = MsgSendsv_r(tm, &m, sizeof m, r, 2);
	if (n < 0)
		return __syscall_ret(n);
	return info->argslen < size ? (long)info->argslen : (long)size;
}

static long path_list(const char *dir, uint16_t subtype, uint32_t from,
		      struct _proc_path_entry *e, size_t max)
{
	size_t n = strlen(dir) + 1;
	struct _proc_path_list m = { .hdr = { .type = _PROC_PATH_LIST, .subtype = subtype },
				     .from = from, .pathlen = (uint32_t)n };
	iov_t s[2], r;
	int tm = __taskman_coid();

	if (tm < 0)
		return -1;
	if (max > _PROC_PATH_LIST_MAX)
		max = _PROC_PATH_LIST_MAX;
	SETIOV(&s[0], &m, sizeof m);
	SETIOV(&s[1], dir, n);
	SETIOV(&r, e, max * sizeof *e);
	long got = MsgSendv_r(tm, s, 2, &r, 1);
	if (got < 0)
		return __syscall_ret(got);
	return got < (long)max ? got : (long)max;
}

long proc_path_list(const char *dir, uint32_t from, struct _proc_path_entry *e, size_t max)
{
	return path_list(dir, 0, from, e, max);
}

long proc_path_below(const char *dir, uint32_t from, struct _proc_path_entry *e, size_t max)
{
	return path_list(dir, _PROC_PATH_LIST_BELOW, from, e, max);
}

uint64_t proc_path_ino(const char *dir, const char *name)
{
	uint32_t h = 2166136261u;

	for (const char *s = dir; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	if (*name && strcmp(dir, "/"))
		h = (h ^ (uint8_t)'/') * 16777619u;
	for (const char *s = name; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return 0x80000000ull | (h & 0x7fffffffu);
}
