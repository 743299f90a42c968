#pragma once
/* Validation of static ELF64 RISC-V executables before anything is mapped.
 *
 * elf_parse() accepts an image only if it is a little-endian ELF64 ET_EXEC
 * for EM_RISCV (not RV32E), has a program header table inside the image, no
 * PT_INTERP or PT_DYNAMIC (static only), and 1..ELF_MAX_SEGMENTS PT_LOAD
 * segments each of which
 *   - has p_filesz <= p_memsz and its file bytes inside the image,
 *   - has p_vaddr and p_offset congruent modulo ELF_PAGE_SIZE,
 *   - lies, page-rounded, inside [ELF_USER_MIN, ELF_USER_END),
 *   - shares no page with another PT_LOAD segment,
 *   - is not both writable and executable (W^X);
 * and the entry point is 2-byte aligned and inside the file bytes of an
 * executable segment.  PT_LOAD segments with p_memsz 0 are dropped; other
 * program header types (PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_STACK,
 * PT_RISCV_ATTRIBUTES, ...) are ignored.  The image may sit at any alignment
 * (a file inside a cpio archive is only 4-aligned): fields are read byte by
 * byte.  Nothing is allocated and nothing outside [img, img + len) is read. */
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS  8
#define ELF_PAGE_SIZE     4096u
/* The user half of an Sv39 space, less the NULL page (equal to
 * KEEL_USER_MIN and KEEL_USER_END in <keel/start.h>). */
#define ELF_USER_MIN      0x0000000000001000ull
#define ELF_USER_END      0x0000004000000000ull

/* Segment protection (elf_segment.prot). */
#define ELF_PROT_R        0x1u
#define ELF_PROT_W        0x2u
#define ELF_PROT_X        0x4u

enum elf_err {
	ELF_E_TRUNCATED = -1,     /* shorter than the ELF header */
	ELF_E_MAGIC     = -2,     /* not \177ELF */
	ELF_E_CLASS     = -3,     /* not ELFCLASS64 */
	ELF_E_ENDIAN    = -4,     /* not little endian */
	ELF_E_VERSION   = -5,     /* e_ident or e_version is not EV_CURRENT */
	ELF_E_TYPE      = -6,     /* not ET_EXEC (a relocatable, PIE, shared object, core) */
	ELF_E_MACHINE   = -7,     /* not EM_RISCV */
	ELF_E_FLAGS     = -8,     /* RV32E/RV64E ABI */
	ELF_E_PHDR      = -9,     /* program header table size, count or place is wrong */
	ELF_E_DYNAMIC   = -10,    /* PT_INTERP or PT_DYNAMIC: not a static executable */
	ELF_E_FILESZ    = -11,    /* p_filesz > p_memsz */
	ELF_E_OFFSET    = -12,    /* segment's file bytes outside the image */
	ELF_E_ALIGN     = -13,    /* p_vaddr and p_offset not congruent mod the page size */
	ELF_E_RANGE     = -14,    /* segment outside the user half, or wraps */
	ELF_E_OVERLAP   = -15,    /* two segments share a page */
	ELF_E_WX        = -16,    /* segment both writable and executable */
	ELF_E_NOLOAD    = -17,    /* no PT_LOAD segment */
	ELF_E_TOOMANY   = -18,    /* more than ELF_MAX_SEGMENTS PT_LOAD segments */
	ELF_E_ENTRY     = -19,    /* entry point misaligned or not in executable file bytes */
};

struct elf_segment {
	uint64_t vaddr;           /* first byte in the user space */
	uint64_t memsz;           /* bytes mapped from vaddr; those past filesz are zero */
	uint64_t offset;          /* of the file bytes in the image */
	uint64_t filesz;
	uint32_t prot;            /* ELF_PROT_* */
};

struct elf_image {
	uint64_t entry;
	uint32_t flags;           /* e_flags: EF_RISCV_* (float ABI, RVC) for the caller's policy */
	uint32_t nsegs;           /* segments in file order */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/* Validates img[0..len) as above.  Returns 0 and fills *out, or a negative
 * ELF_E_* (then *out is unspecified).  Pure: no locks, any context. */
int elf_parse(const void *img, size_t len, struct elf_image *out);

/* A short description of an ELF_E_* value ("unknown error" otherwise). */
const char *elf_strerror(int err);
