/* mmap, munmap, mprotect (POSIX.1-2017) as messages to taskman, which maps
 * in the caller's space (see _PROC_MMAP in <keel/procmsg.h>); a file's pages
 * come from its server (_IO_MMAP: a grant that taskman maps), and
 * shm_open's objects are files of the shmem server at /dev/shmem. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <limits.h>
#include <fcntl.h>
#include <keel/procmsg.h>
#include "libc.h"

_Static_assert(MAP_SHARED == _PROC_MAP_SHARED && MAP_PRIVATE == _PROC_MAP_PRIVATE &&
	       MAP_FIXED == _PROC_MAP_FIXED && MAP_ANON == _PROC_MAP_ANON &&
	       MAP_STACK == _PROC_MAP_STACK && MAP_FIXED_NOREPLACE == _PROC_MAP_NOREPLACE &&
	       MAP_CONTIG == _PROC_MAP_CONTIG,
	       "mmap flags are taskman's");


static long mem_msg_grant(uint16_t type, uintptr_t addr, size_t len, int prot, int flags,
			  uint64_t grant, uint64_t *out)
{
	int tm = __taskman_coid();

	if (tm < 0)
		return -errno;
	if ((unsigned)prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	struct _proc_mmap m = {
		.hdr = { .type = type }, .addr = addr, .len = len, .flags = (uint32_t)flags,
		.prot = (uint32_t)prot, .paddr = grant,
	};
	struct _proc_mmap_reply r = { 0 };
	long n = MsgSend_r(tm, &m, sizeof m, &r, sizeof r);
	if (n >= 0 && out)
		*out = r.addr;
	return n < 0 ? n : 0;
}

static long mem_msg(uint16_t type, uintptr_t addr, size_t len, int prot, int flags,
		    uint64_t *out)
{
	return mem_msg_grant(type, addr, len, prot, flags, 0, out);
}

/* The server of fd grants len bytes at off, which taskman maps here: with
 * flags' placement (MAP_FIXED...), shared, at most prot. */
static long map_grant(int fd, uintptr_t addr, size_t len, int prot, int flags, off_t off,
		      uint64_t *at)
{
	struct _io_mmap m = { .hdr = { .type = _IO_MMAP }, .prot = (uint32_t)prot,
			      .flags = (uint32_t)flags, .offset = (uint64_t)off, .len = len };
	struct _io_mmap_reply r = { 0 };
	long n = __io_msg(fd, &m, sizeof m, &r, sizeof r);

	if (n < 0)
		return n;
	return mem_msg_grant(_PROC_MMAP, addr, len, prot,
			     (flags & ~MAP_PRIVATE) | MAP_SHARED | _PROC_MAP_GRANT, r.grant, at);
}

/* A file's pages mapped: MAP_SHARED maps the server's own pages; a
 * MAP_PRIVATE mapping is a private copy, made now (POSIX leaves open
 * whether later changes to the file show through it; here they do not). */
static long map_file(int fd, uintptr_t addr, size_t len, int prot, int flags, off_t off,
		     uint64_t *at)
{
	if (flags & MAP_SHARED)
		return map_grant(fd, addr, len, prot, flags, off, at);
	uint64_t copy = 0, view = 0;
	long r = mem_msg(_PROC_MMAP, addr, len, PROT_READ | PROT_WRITE, flags | MAP_ANON, &copy);
	if (r < 0)
		return r;
	r = map_grant(fd, 0, len, PROT_READ, flags & ~(MAP_FIXED | MAP_FIXED_NOREPLACE), off,
		      &view);
	if (r == 0) {
		memcpy((void *)(uintptr_t)copy, (const void *)(uintptr_t)view, len);
		mem_msg(_PROC_MUNMAP, (uintptr_t)view, len, 0, 0, 0);
		if (!(prot & PROT_WRITE))
			r = mem_msg(_PROC_MPROTECT, (uintptr_t)copy, len, prot, 0, 0);
	}
	if (r < 0) {
		mem_msg(_PROC_MUNMAP, (uintptr_t)copy, len, 0, 0, 0);
		return r;
	}
	*at = copy;
	return 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	bool file = !(flags & MAP_ANON);

	if (file && fd < 0) {
		errno = EBADF;
		return MAP_FAILED;
	}
	if ((file ? (off < 0 || (off & 4095)) : off != 0) || len == 0 ||
	    (flags & MAP_FIXED && (uintptr_t)addr & 4095) ||
	    (file && (flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_SHARED &&
	     (flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_PRIVATE)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	uint64_t at = 0;
	long r = file ? map_file(fd, (uintptr_t)addr, len, prot, flags, off, &at) :
			mem_msg(_PROC_MMAP, (uintptr_t)addr, len, prot, flags, &at);
	if (r < 0) {
		errno = (int)-r;
		return MAP_FAILED;
	}
	return (void *)(uintptr_t)at;
}

int munmap(void *addr, size_t len)
{
	return (int)__syscall_ret(mem_msg(_PROC_MUNMAP, (uintptr_t)addr, len, 0, 0, 0));
}

int mprotect(void *addr, size_t len, int prot)
{
	return (int)__syscall_ret(mem_msg(_PROC_MPROTECT, (uintptr_t)addr, len, prot, 0, 0));
}

/* Grows libc's heap (sbrk.c): [addr, addr + len) mapped, EEXIST when it
 * already was (another thread grew it first). */
int __heap_map(uintptr_t addr, size_t len)
{
	return (int)mem_msg(_PROC_MMAP, addr, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANON | MAP_FIXED_NOREPLACE, 0);
}

/* shm_open and shm_unlink (POSIX.1-2017): the objects are the files of the
 * shmem server, /dev/shmem/<name>; name is "/" and a name without another
 * '/'. */
static int shm_path(const char *name, char *path, size_t size)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 2 || name[0] != '/' || strchr(name + 1, '/'))
		return EINVAL;
	if (n > NAME_MAX + 1 || sizeof "/dev/shmem" + n > size)
		return ENAMETOOLONG;
	memcpy(path, "/dev/shmem", sizeof "/dev/shmem" - 1);
	memcpy(path + sizeof "/dev/shmem" - 1, name, n + 1);
	return 0;
}

int shm_open(const char *name, int oflag, mode_t mode)
{
	char path[PATH_MAX];
	int e = shm_path(name, path, sizeof path);

	if (e || (oflag & ~(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC)) ||
	    ((oflag & O_ACCMODE) != O_RDONLY && (oflag & O_ACCMODE) != O_RDWR)) {
		errno = e ? e : EINVAL;
		return -1;
	}
	return open(path, oflag | O_CLOEXEC, mode);
}

int shm_unlink(const char *name)
{
	char path[PATH_MAX];
	int e = shm_path(name, path, sizeof path);

	if (e) {
		errno = e;
		return -1;
	}
	return unlink(path);
}

/* Memory for an exec's message and vectors: straight from taskman, with
 * no lock of libc's taken (execve is async-signal-safe). */
void *__exec_alloc(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void __exec_free(void *p, size_t n)
{
	munmap(p, n);
}
