/* The exec family (POSIX.1-2017 execve, execv, execvp, execvpe, execl,
 * execle, execlp, fexecve): a _PROC_EXEC message to taskman with the same
 * layout as posix_spawn's.  On success the calling thread goes on in the
 * new image and nothing returns; the startup data tells the new libc which
 * connections are its fds and which FD_CLOEXEC ones to close. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <keel/procmsg.h>
#include "libc.h"
#include "spawn_impl.h"

extern char **environ;

/* taskman loads programs from the boot image only (and runs its "#!"
 * scripts).  A file elsewhere (a script written to /tmp, a file on the
 * disk) is looked at here, for exec and posix_spawn alike: a "#!" script runs its interpreter, as the
 * interpreter's argv[0], its one optional argument, the script's path and
 * argv[1..] (nested up to SCRIPT_DEPTH); a file without execute permission
 * is EACCES; anything else is ENOEXEC (an ELF file taskman cannot load
 * from there yet, or a script without "#!", which a shell then runs). */
#define SCRIPT_DEPTH 4
#define SHEBANG_MAX  256

static int image_at_depth(unsigned type, const char *path, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[],
			  int depth);

static int script_image(unsigned type, const char *path, const posix_spawn_file_actions_t *fa,
			const posix_spawnattr_t *attr, char *const argv[], char *const envp[],
			int depth)
{
	char line[SHEBANG_MAX];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
		close(fd);
		return -EACCES;
	}
	__cancel_hold();                /* exec is no cancellation point */
	ssize_t n = read(fd, line, sizeof line - 1);
	close(fd);
	__cancel_unhold();
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return -ENOEXEC;
	line[n] = 0;
	char *end = strchr(line, '\n');
	if (!end)
		return -ENOEXEC;                /* a first line too long */
	*end = 0;
	char *interp = line + 2;
	interp += strspn(interp, " \t");
	char *arg = interp + strcspn(interp, " \t");
	if (*arg) {
		*arg++ = 0;
		arg += strspn(arg, " \t");
		for (char *t = arg + strlen(arg); t > arg && strchr(" \t\r", t[-1]); t--)
			t[-1] = 0;
	}
	if (interp[0] != '/')
		return -ENOEXEC;
	if (depth >= SCRIPT_DEPTH)
		return -ELOOP;
	size_t argc = 0;
	while (argv[argc])
		argc++;
	size_t size = (argc + 3) * sizeof(char *);
	char **args = __exec_alloc(size);       /* async-signal-safe, as execve is */
	if (!args)
		return -ENOMEM;
	size_t k = 0;
	args[k++] = interp;
	if (*arg)
		args[k++] = arg;
	args[k++] = (char *)path;
	for (size_t i = 1; i < argc; i++)
		args[k++] = argv[i];
	args[k] = NULL;
	int r = image_at_depth(type, interp, fa, attr, args, envp, depth + 1);
	__exec_free(args, size);
	return r;
}

static int image_at_depth(unsigned type, const char *path, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[],
			  int depth)
{
	int r = __proc_image(type, path, fa, attr, argv, envp);
	if (r == -ENOENT)
		r = script_image(type, path, fa, attr, argv, envp, depth);
	return r;
}

int __proc_image_or_script(unsigned type, const char *path, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return image_at_depth(type, path, fa, attr, argv, envp, 0);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	if (!__uptr_ok(path, 1) || !__uptr_ok(argv, sizeof *argv))
		return (int)__syscall_ret(-EFAULT);
	if (strnlen(path, _IO_PATH_MAX) >= _IO_PATH_MAX)
		return (int)__syscall_ret(-ENAMETOOLONG);
	__cancel_unmask();              /* the image keeps the mask: not libc's own block */
	return (int)__syscall_ret(__proc_image_or_script(_PROC_EXEC, path, NULL, NULL, argv,
							 envp ? envp : (char *const[]){ NULL }));
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

struct execp {
	char *const *argv, *const *envp;
};

/* execve, and for a file that is no program (ENOEXEC: a script without
 * "#!") the shell with the file as its script, as execvp and execlp do
 * (POSIX.1-2017 exec: "the contents of the file are assumed to be a shell
 * script").  It returned: the errno. */
static int exec_or_shell(const char *path, char *const argv[], char *const envp[])
{
	execve(path, argv, envp);
	if (errno != ENOEXEC)
		return errno;
	size_t argc = 0;
	while (argv[argc])
		argc++;
	char **args = malloc((argc + 3) * sizeof *args);
	if (!args)
		return ENOEXEC;
	args[0] = "sh";
	args[1] = (char *)path;
	size_t k = 2;
	for (size_t i = 1; i < argc; i++)
		args[k++] = argv[i];
	args[k] = NULL;
	execve("/bin/sh", args, envp);
	free(args);
	return ENOEXEC;                         /* no shell either: the file's error */
}

static int try_exec(const char *path, void *ctx)
{
	struct execp *c = ctx;
	return exec_or_shell(path, c->argv, c->envp);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct execp c = { argv, envp };

	if (!__uptr_ok(file, 1))
		return (int)__syscall_ret(-EFAULT);
	if (!*file)
		return (int)__syscall_ret(-ENOENT);
	if (strchr(file, '/'))
		errno = exec_or_shell(file, argv, envp);
	else
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
