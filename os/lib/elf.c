/* ELF64 RISC-V executable validation (see elf.h).  Fields are decoded from
 * little-endian bytes, so the image needs no alignment and the code no
 * host byte order.  Every size is compared with what is left of the image
 * before it is added to an offset, so no sum wraps. */
#include <stdbool.h>
#include "elf.h"

/* ELF header (Elf64_Ehdr) layout and values. */
#define EHDR_SIZE        64u
#define EI_CLASS         4
#define EI_DATA          5
#define EI_VERSION       6
#define E_TYPE           16
#define E_MACHINE        18
#define E_VERSION        20
#define E_ENTRY          24
#define E_PHOFF          32
#define E_FLAGS          48
#define E_PHENTSIZE      54
#define E_PHNUM          56
#define ELFCLASS64       2
#define ELFDATA2LSB      1
#define EV_CURRENT       1
#define ET_EXEC          2
#define EM_RISCV         243
#define EF_RISCV_RVE     0x8u
#define PN_XNUM          0xffffu

/* Program header (Elf64_Phdr) layout and values. */
#define PHDR_SIZE        56u
#define P_TYPE           0
#define P_FLAGS          4
#define P_OFFSET         8
#define P_VADDR          16
#define P_FILESZ         32
#define P_MEMSZ          40
#define PT_LOAD          1
#define PT_DYNAMIC       2
#define PT_INTERP        3
#define PF_X             0x1u
#define PF_W             0x2u
#define PF_R             0x4u

#define PAGE_MASK        ((uint64_t)ELF_PAGE_SIZE - 1)

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)get_le(p, 2); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get_le(p, 4); }
static uint64_t get64(const uint8_t *p) { return get_le(p, 8); }

/* The identification bytes and the fixed header fields. */
static int check_ehdr(const uint8_t *b, size_t len)
{
	if (len < EHDR_SIZE)
		return ELF_E_TRUNCATED;
	if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
		return ELF_E_MAGIC;
	if (b[EI_CLASS] != ELFCLASS64)
		return ELF_E_CLASS;
	if (b[EI_DATA] != ELFDATA2LSB)
		return ELF_E_ENDIAN;
	if (b[EI_VERSION] != EV_CURRENT || get32(b + E_VERSION) != EV_CURRENT)
		return ELF_E_VERSION;
	if (get16(b + E_TYPE) != ET_EXEC)
		return ELF_E_TYPE;
	if (get16(b + E_MACHINE) != EM_RISCV)
		return ELF_E_MACHINE;
	if (get32(b + E_FLAGS) & EF_RISCV_RVE)
		return ELF_E_FLAGS;
	return 0;
}

/* The program header table must be whole entries of the Elf64 size, inside
 * the image. */
static int check_phdr_table(const uint8_t *b, size_t len)
{
	uint64_t phoff = get64(b + E_PHOFF);
	uint16_t phnum = get16(b + E_PHNUM);

	if (get16(b + E_PHENTSIZE) != PHDR_SIZE || phnum == PN_XNUM)
		return ELF_E_PHDR;
	if (phoff > len || (uint64_t)phnum * PHDR_SIZE > len - phoff)
		return ELF_E_PHDR;
	return 0;
}

static uint32_t prot_of(uint32_t p_flags)
{
	return (p_flags & PF_R ? ELF_PROT_R : 0) | (p_flags & PF_W ? ELF_PROT_W : 0) |
	       (p_flags & PF_X ? ELF_PROT_X : 0);
}

/* Checks one PT_LOAD segment on its own. */
static int check_segment(const struct elf_segment *s, size_t len)
{
	if (s->filesz > s->memsz)
		return ELF_E_FILESZ;
	if (s->offset > len || s->filesz > len - s->offset)
		return ELF_E_OFFSET;
	if ((s->vaddr ^ s->offset) & PAGE_MASK)
		return ELF_E_ALIGN;
	if (s->vaddr < ELF_USER_MIN || s->vaddr >= ELF_USER_END ||
	    s->memsz > ELF_USER_END - s->vaddr)
		return ELF_E_RANGE;
	if ((s->prot & ELF_PROT_W) && (s->prot & ELF_PROT_X))
		return ELF_E_WX;
	return 0;
}

/* First and one-past-last page address of a checked segment (no wrap: it
 * ends at or below ELF_USER_END, which is page-aligned). */
static uint64_t page_start(const struct elf_segment *s)
{
	return s->vaddr & ~PAGE_MASK;
}

static uint64_t page_end(const struct elf_segment *s)
{
	return (s->vaddr + s->memsz + PAGE_MASK) & ~PAGE_MASK;
}

static int check_overlaps(const struct elf_image *im)
{
	uint32_t i, j;

	for (i = 0; i < im->nsegs; i++)
		for (j = i + 1; j < im->nsegs; j++)
			if (page_start(&im->seg[i]) < page_end(&im->seg[j]) &&
			    page_start(&im->seg[j]) < page_end(&im->seg[i]))
				return ELF_E_OVERLAP;
	return 0;
}

/* Adds the program header at ph to im if it is a non-empty PT_LOAD. */
static int take_phdr(const uint8_t *ph, size_t len, struct elf_image *im)
{
	uint32_t type = get32(ph + P_TYPE);
	struct elf_segment s;
	int r;

	if (type == PT_INTERP || type == PT_DYNAMIC)
		return ELF_E_DYNAMIC;
	if (type != PT_LOAD)
		return 0;
	s.vaddr = get64(ph + P_VADDR);
	s.memsz = get64(ph + P_MEMSZ);
	s.offset = get64(ph + P_OFFSET);
	s.filesz = get64(ph + P_FILESZ);
	s.prot = prot_of(get32(ph + P_FLAGS));
	r = check_segment(&s, len);
	if (r < 0)
		return r;
	if (s.memsz == 0)
		return 0;
	if (im->nsegs == ELF_MAX_SEGMENTS)
		return ELF_E_TOOMANY;
	im->seg[im->nsegs++] = s;
	return 0;
}

static bool entry_ok(const struct elf_image *im)
{
	const struct elf_segment *s;
	uint32_t i;

	if (im->entry & 1)
		return false;
	for (i = 0; i < im->nsegs; i++) {
		s = &im->seg[i];
		if ((s->prot & ELF_PROT_X) && im->entry >= s->vaddr &&
		    im->entry - s->vaddr < s->filesz)
			return true;
	}
	return false;
}

int elf_parse(const void *img, size_t len, struct elf_image *out)
{
	const uint8_t *b = img;
	uint64_t phoff;
	uint16_t i, phnum;
	int r;

	r = check_ehdr(b, len);
	if (r == 0)
		r = check_phdr_table(b, len);
	if (r < 0)
		return r;
	phoff = get64(b + E_PHOFF);
	phnum = get16(b + E_PHNUM);
	out->entry = get64(b + E_ENTRY);
	out->flags = get32(b + E_FLAGS);
	out->nsegs = 0;
	for (i = 0; i < phnum; i++) {
		r = take_phdr(b + phoff + (size_t)i * PHDR_SIZE, len, out);
		if (r < 0)
			return r;
	}
	if (out->nsegs == 0)
		return ELF_E_NOLOAD;
	r = check_overlaps(out);
	if (r < 0)
		return r;
	return entry_ok(out) ? 0 : ELF_E_ENTRY;
}

const char *elf_strerror(int err)
{
	switch (err) {
	case 0:               return "no error";
	case ELF_E_TRUNCATED: return "shorter than an ELF header";
	case ELF_E_MAGIC:     return "not an ELF file";
	case ELF_E_CLASS:     return "not ELF64";
	case ELF_E_ENDIAN:    return "not little endian";
	case ELF_E_VERSION:   return "unknown ELF version";
	case ELF_E_TYPE:      return "not an executable (ET_EXEC)";
	case ELF_E_MACHINE:   return "not RISC-V";
	case ELF_E_FLAGS:     return "RV-E ABI not supported";
	case ELF_E_PHDR:      return "bad program header table";
	case ELF_E_DYNAMIC:   return "dynamically linked";
	case ELF_E_FILESZ:    return "segment file size exceeds memory size";
	case ELF_E_OFFSET:    return "segment data outside the file";
	case ELF_E_ALIGN:     return "segment address and offset not page-congruent";
	case ELF_E_RANGE:     return "segment outside user space";
	case ELF_E_OVERLAP:   return "segments overlap";
	case ELF_E_WX:        return "segment both writable and executable";
	case ELF_E_NOLOAD:    return "no loadable segment";
	case ELF_E_TOOMANY:   return "too many loadable segments";
	case ELF_E_ENTRY:     return "entry point not in executable code";
	default:              return "unknown error";
	}
}
