/* The first process: `init=/path arg...` on the kernel command line names a
 * static ELF program in the boot image (the initrd CPIO), which the kernel
 * loads and starts in user mode.  Its exit status is printed and powers the
 * machine off (process.c). */
#include <stdbool.h>
#include <keel/errno.h>
#include <keel/start.h>
#include "boot.h"
#include "cpio.h"
#include "elf.h"
#include "kprintf.h"
#include "kstring.h"
#include "platform.h"
#include "process.h"
#include "vm.h"
#include "vmspace.h"

#define INIT_ARGS_MAX 16
#define INIT_LINE_MAX 256
#define TASKMAN_PATH  "/sbin/taskman"

static unsigned seg_prot(const struct elf_segment *s)
{
	return ((s->prot & ELF_PROT_R) ? VM_R : 0) | ((s->prot & ELF_PROT_W) ? VM_W : 0) |
	       ((s->prot & ELF_PROT_X) ? VM_X : 0);
}

/* Segments are loaded writable, filled, then given their real protection
 * (which makes executable ones coherent on every hart first). */
static int load_elf(struct process *p, const void *img, size_t len, uint64_t *entry)
{
	struct elf_image e;
	int r = elf_parse(img, len, &e);

	if (r < 0) {
		kprintf("keel: %s: not a loadable program: %s\n", p->name, elf_strerror(r));
		return -EINVAL;
	}
	for (uint32_t i = 0; i < e.nsegs; i++) {
		const struct elf_segment *s = &e.seg[i];
		uint64_t start = s->vaddr & ~(PAGE_SIZE - 1);
		uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		if ((r = vmspace_alloc(p->vs, start, end - start, VM_R | VM_W)) ||
		    (r = vmspace_write(p->vs, s->vaddr, (const char *)img + s->offset, s->filesz)) ||
		    (r = vmspace_protect(p->vs, start, end - start, seg_prot(s))))
			return r;
	}
	*entry = e.entry;
	return 0;
}

/* Splits the words after "init=" (up to the end of the command line) into
 * argv; returns argc, 0 if there is no init= word, or -E2BIG (said on the
 * console) for a line of INIT_LINE_MAX bytes or more, or more than
 * INIT_ARGS_MAX words: cut short, it would start another program than the
 * one asked for. */
static int init_argv(const char *cmdline, char *line, const char **argv)
{
	const char *s = cmdline ? strstr(cmdline, "init=") : 0;
	int argc = 0;

	if (!s || (s != cmdline && s[-1] != ' '))
		return 0;
	size_t n = strnlen(s + 5, INIT_LINE_MAX);
	if (n >= INIT_LINE_MAX) {
		kprintf("keel: init command line too long: more than %d bytes\n", INIT_LINE_MAX - 1);
		return -E2BIG;
	}
	memcpy(line, s + 5, n);
	line[n] = 0;
	for (char *p = line; *p; ) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		if (argc == INIT_ARGS_MAX) {
			kprintf("keel: init command line has more than %d words\n", INIT_ARGS_MAX);
			return -E2BIG;
		}
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return argc;
}

static const char *basename(const char *path)
{
	const char *b = path;

	for (const char *p = path; *p; p++)
		if (*p == '/')
			b = p + 1;
	return b;
}

/* Maps the boot image read-only at KEEL_BOOTIMG_BASE in p's space (the
 * pages are the kernel's hole in RAM, never freed with the space) and
 * returns its length, or a negative errno. */
static long map_boot_image(struct process *p, const struct platform *plat)
{
	uint64_t start = plat->initrd_start & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t end = (plat->initrd_end + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	int r = vmspace_map_phys(p->vs, KEEL_BOOTIMG_BASE, start, end - start, VM_R);

	if (r < 0)
		return r;
	return (long)(plat->initrd_end - start);
}

/* Loads the program at `path` of the boot image into a new process and
 * starts it with argv; a3 as <keel/start.h> says for the first process. */
static int start_first(const struct platform *plat, const char *path, int argc,
		       const char *const *argv, bool boot_image)
{
	const void *img = phys_to_virt(plat->initrd_start);
	struct cpio_entry e;
	uint64_t entry;
	long a3 = 0;
	int r = cpio_find(img, plat->initrd_end - plat->initrd_start, path, &e);

	if (r < 0) {
		kprintf("keel: init %s: %s\n", path, cpio_strerror(r));
		return -ENOENT;
	}
	struct process *p = process_create(basename(path), PROC_INIT | PROC_PRIVILEGED);
	if (!p)
		return -ENOMEM;
	if (boot_image && (a3 = map_boot_image(p, plat)) < 0)
		r = (int)a3;
	if (r || (r = load_elf(p, e.data, e.size, &entry)) ||
	    (r = process_start(p, entry, argc, argv, (uint64_t)a3))) {
		kprintf("keel: init %s could not start (%d)\n", path, r);
		return r;
	}
	return 1;
}

/* The first process is taskman (/sbin/taskman of the boot image) when the
 * image has one: it gets the init= words as its arguments and starts the
 * program they name (or /sbin/init).  Without taskman, the init= program
 * itself is the first process, as before taskman existed. */
int process_spawn_init(const struct platform *plat)
{
	static char line[INIT_LINE_MAX];
	const char *argv[INIT_ARGS_MAX + 2];
	int argc = init_argv(plat->bootargs, line, argv + 1);
	struct cpio_entry e;

	if (argc < 0)
		return argc;
	if (!plat->has_initrd) {
		if (argc)
			kprintf("keel: init=%s given but there is no boot image (initrd)\n", argv[1]);
		return argc ? -ENOENT : 0;
	}
	const void *img = phys_to_virt(plat->initrd_start);
	size_t len = plat->initrd_end - plat->initrd_start;
	bool taskman = cpio_find(img, len, TASKMAN_PATH, &e) == 0;
	/* /sbin/init is the default unless the boot is the kernel's own
	 * self-tests (ktest): a system that never ends would keep them waiting. */
	bool sys_init = !argc && !cmdline_has("ktest") &&
			cpio_find(img, len, "/sbin/init", &e) == 0;
	if (taskman && (argc || sys_init)) {
		argv[0] = TASKMAN_PATH;
		return start_first(plat, TASKMAN_PATH, argc + 1, argv, true);
	}
	if (!argc)
		return 0;
	return start_first(plat, argv[1], argc, argv + 1, false);
}
