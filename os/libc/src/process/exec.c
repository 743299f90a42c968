/* The exec family (POSIX.1-2017 execve, execv, execvp, execvpe, execl,
 * execle, execlp, fexecve): a _PROC_EXEC message to taskman with the same
 * layout as posix_spawn's.  On success the calling thread goes on in the
 * new image and nothing returns; the startup data tells the new libc which
 * connections are its fds and which FD_CLOEXEC ones to close. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <keel/procmsg.h>
#include "libc.h"
#include "spawn_impl.h"

extern char **environ;

int execve(const char *path, char *const argv[], char *const envp[])
{
	if (!__uptr_ok(path, 1) || !__uptr_ok(argv, sizeof *argv))
		return (int)__syscall_ret(-EFAULT);
	if (strnlen(path, _IO_PATH_MAX) >= _IO_PATH_MAX)
		return (int)__syscall_ret(-ENAMETOOLONG);
	return (int)__syscall_ret(__proc_image(_PROC_EXEC, path, NULL, NULL, argv,
					       envp ? envp : (char *const[]){ NULL }));
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

struct execp {
	char *const *argv, *const *envp;
};

static int try_exec(const char *path, void *ctx)
{
	struct execp *c = ctx;
	execve(path, c->argv, c->envp);
	return errno;                   /* it returned: it failed */
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct execp c = { argv, envp };

	if (!__uptr_ok(file, 1))
		return (int)__syscall_ret(-EFAULT);
	if (!*file)
		return (int)__syscall_ret(-ENOENT);
	if (strchr(file, '/'))
		return execve(file, argv, envp);
	errno = __path_search(file, try_exec, &c);
	return -1;
}

int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* The list forms gather their arguments into a vector on the stack. */
#define ARGS_MAX 1024

static int gather(const char *arg0, va_list ap, char **argv, char ***envp)
{
	int n = 0;

	for (const char *a = arg0; ; a = va_arg(ap, const char *)) {
		if (n == ARGS_MAX - 1)
			return -E2BIG;
		argv[n++] = (char *)a;
		if (!a)
			break;
	}
	if (envp)
		*envp = va_arg(ap, char **);
	return 0;
}

#define EXEC_LIST(call, withenv)                                        \
	char *argv[ARGS_MAX], **envp = environ;                         \
	va_list ap;                                                     \
	va_start(ap, arg);                                              \
	int r = gather(arg, ap, argv, withenv ? &envp : NULL);          \
	va_end(ap);                                                     \
	if (r < 0)                                                      \
		return (int)__syscall_ret(r);                           \
	return call

int execl(const char *path, const char *arg, ...)
{
	EXEC_LIST(execve(path, argv, envp), 0);
}

int execle(const char *path, const char *arg, ...)
{
	EXEC_LIST(execve(path, argv, envp), 1);
}

int execlp(const char *file, const char *arg, ...)
{
	EXEC_LIST(execvpe(file, argv, envp), 0);
}

/* fexecve: taskman loads images by path, so this is execve of the path
 * open() remembered for fd (io/at.c), used only while stat of it names
 * fd's very file (st_dev and st_ino): a file renamed or replaced since is
 * ENOENT, never another program run in its place.  An fd whose path libc
 * does not know (inherited through exec, made by a server) is ENOTSUP.
 * Between the check and taskman's open the name may still change: the
 * window is the one an execve by path always has. */
int fexecve(int fd, char *const argv[], char *const envp[])
{
	char path[_IO_PATH_MAX];

	if (fd < 0 || fd >= __FD_MAX || !__fds[fd].pid)
		return (int)__syscall_ret(-EBADF);
	int r = __fd_path(fd, path);
	return r < 0 ? (int)__syscall_ret(r) : execve(path, argv, envp);
}
