/* mmap, munmap, mprotect (POSIX.1-2017) as messages to taskman, which maps
 * in the caller's space (see _PROC_MMAP in <keel/procmsg.h>). */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <keel/procmsg.h>
#include "libc.h"

_Static_assert(MAP_SHARED == _PROC_MAP_SHARED && MAP_PRIVATE == _PROC_MAP_PRIVATE &&
	       MAP_FIXED == _PROC_MAP_FIXED && MAP_ANON == _PROC_MAP_ANON &&
	       MAP_STACK == _PROC_MAP_STACK && MAP_FIXED_NOREPLACE == _PROC_MAP_NOREPLACE &&
	       MAP_CONTIG == _PROC_MAP_CONTIG,
	       "mmap flags are taskman's");


static long mem_msg(uint16_t type, uintptr_t addr, size_t len, int prot, int flags,
		    uint64_t *out)
{
	int tm = __taskman_coid();

	if (tm < 0)
		return -errno;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	struct _proc_mmap m = {
		.hdr = { .type = type }, .addr = addr, .len = len, .flags = (uint32_t)flags,
		.prot = (uint32_t)prot,
	};
	struct _proc_mmap_reply r = { 0 };
	long n = MsgSend_r(tm, &m, sizeof m, &r, sizeof r);
	if (n >= 0 && out)
		*out = r.addr;
	return n < 0 ? n : 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (!(flags & MAP_ANON)) {
		/* No file system maps files yet. */
		errno = fd < 0 ? EBADF : ENODEV;
		return MAP_FAILED;
	}
	if (off != 0 || len == 0 || (flags & MAP_FIXED && (uintptr_t)addr & 4095)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	uint64_t at = 0;
	long r = mem_msg(_PROC_MMAP, (uintptr_t)addr, len, prot, flags, &at);
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
