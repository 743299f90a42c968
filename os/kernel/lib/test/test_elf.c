/* Host tests of the ELF executable validator.  Real images come from the
 * cross compiler at test time (host.mk links one program several ways);
 * hand-built images cover each rule one edit at a time.  Every image sits in
 * a heap buffer of exactly its length, so ASan reports any read past it, and
 * a parse that succeeds on a damaged image is checked against the rules by
 * an independent reading of its program headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blob.h"
#include "cpio.h"
#include "elf.h"
#include "ktap.h"

/* ELF header and program header field offsets, read independently of elf.c. */
enum {
	EH_CLASS = 4, EH_DATA = 5, EH_IVERSION = 6, EH_TYPE = 16, EH_MACHINE = 18,
	EH_VERSION = 20, EH_ENTRY = 24, EH_PHOFF = 32, EH_FLAGS = 48, EH_PHENTSIZE = 54,
	EH_PHNUM = 56, EH_SIZE = 64,
	PH_TYPE = 0, PH_FLAGS = 4, PH_OFFSET = 8, PH_VADDR = 16, PH_FILESZ = 32, PH_MEMSZ = 40,
	PH_SIZE = 56,
};

#define PAGE 0x1000ull

static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void wr(uint8_t *p, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* elf_parse on an exact-size copy of img[0..len) placed `skew` bytes past a
 * malloc'd (16-aligned) address. */
static int parse_copy(const uint8_t *img, size_t len, size_t skew, struct elf_image *out)
{
	uint8_t *raw = malloc(len + skew + 1);
	int r;

	memcpy(raw + skew, img, len);
	r = elf_parse(raw + skew, len, out);
	free(raw);
	return r;
}

/* Field by field: padding and unused slots are not compared. */
static bool same_image(const struct elf_image *a, const struct elf_image *b)
{
	if (a->entry != b->entry || a->flags != b->flags || a->nsegs != b->nsegs)
		return false;
	for (uint32_t i = 0; i < a->nsegs && i < ELF_MAX_SEGMENTS; i++) {
		const struct elf_segment *s = &a->seg[i], *t = &b->seg[i];

		if (s->vaddr != t->vaddr || s->memsz != t->memsz || s->offset != t->offset ||
		    s->filesz != t->filesz || s->prot != t->prot)
			return false;
	}
	return true;
}

/* ---- the rules, checked on the result of a successful parse -------------- */

static bool is_load_of(const uint8_t *img, const struct elf_segment *s)
{
	uint64_t phoff = rd(img + EH_PHOFF, 8);
	unsigned phnum = (unsigned)rd(img + EH_PHNUM, 2);

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (uint64_t)i * PH_SIZE;

		if (rd(ph + PH_TYPE, 4) == 1 && rd(ph + PH_VADDR, 8) == s->vaddr &&
		    rd(ph + PH_MEMSZ, 8) == s->memsz && rd(ph + PH_OFFSET, 8) == s->offset &&
		    rd(ph + PH_FILESZ, 8) == s->filesz)
			return true;
	}
	return false;
}

static void check_rules(const uint8_t *img, size_t len, const struct elf_image *im)
{
	bool entry_found = false;

	KT_CHECK(im->nsegs >= 1 && im->nsegs <= ELF_MAX_SEGMENTS);
	KT_EQ(im->entry, rd(img + EH_ENTRY, 8));
	for (uint32_t i = 0; i < im->nsegs && i < ELF_MAX_SEGMENTS; i++) {
		const struct elf_segment *s = &im->seg[i];

		KT_CHECK(is_load_of(img, s));
		KT_CHECK(s->filesz <= s->memsz && s->memsz > 0);
		KT_CHECK(s->offset <= len && s->filesz <= len - s->offset);
		KT_CHECK(s->vaddr >= ELF_USER_MIN && s->vaddr < ELF_USER_END &&
			 s->memsz <= ELF_USER_END - s->vaddr);
		KT_EQ(s->vaddr % PAGE, s->offset % PAGE);
		KT_CHECK(!((s->prot & ELF_PROT_W) && (s->prot & ELF_PROT_X)));
		for (uint32_t j = i + 1; j < im->nsegs && j < ELF_MAX_SEGMENTS; j++) {
			const struct elf_segment *t = &im->seg[j];
			uint64_t s_end = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
			uint64_t t_end = (t->vaddr + t->memsz + PAGE - 1) & ~(PAGE - 1);

			KT_CHECK(s_end <= (t->vaddr & ~(PAGE - 1)) || t_end <= (s->vaddr & ~(PAGE - 1)));
		}
		if ((s->prot & ELF_PROT_X) && im->entry >= s->vaddr && im->entry - s->vaddr < s->filesz)
			entry_found = true;
	}
	KT_CHECK(entry_found && im->entry % 2 == 0);
}

/* ---- images linked by the cross compiler --------------------------------- */

static uint8_t *load_fixture(const char *name, size_t *len)
{
	uint8_t *b = blob_load(name, len);

	if (!b)
		kt_fail(__FILE__, __LINE__, "missing fixture %s", name);
	return b;
}

/* The shortest prefix of img that holds everything elf_parse must read. */
static size_t needed_len(const uint8_t *img)
{
	uint64_t phoff = rd(img + EH_PHOFF, 8), need = phoff + rd(img + EH_PHNUM, 2) * PH_SIZE;

	for (unsigned i = 0; i < rd(img + EH_PHNUM, 2); i++) {
		const uint8_t *ph = img + phoff + (uint64_t)i * PH_SIZE;
		uint64_t end = rd(ph + PH_OFFSET, 8) + rd(ph + PH_FILESZ, 8);

		if (rd(ph + PH_TYPE, 4) == 1 && end > need)
			need = end;
	}
	return need > EH_SIZE ? need : EH_SIZE;
}

/* Loads a fixture that must parse and obey the rules; false (the case
 * failed) if it does not. */
static bool parse_fixture(const char *name, struct elf_image *im)
{
	size_t len;
	uint8_t *b = load_fixture(name, &len);
	int r;

	if (!b)
		return false;
	r = elf_parse(b, len, im);
	KT_EQ(r, 0);
	if (r == 0)
		check_rules(b, len, im);
	free(b);
	return r == 0;
}

static void t_user_ld(const void *arg)
{
	struct elf_image im;

	(void)arg;
	if (!parse_fixture("elf-user.elf", &im))
		return;
	/* os/user/user.ld: text R+X at 0x10000, rodata R, data and bss R+W. */
	KT_REQUIRE(im.nsegs == 3);
	KT_EQ(im.seg[0].vaddr, 0x10000);
	KT_EQ(im.seg[0].prot, ELF_PROT_R | ELF_PROT_X);
	KT_EQ(im.seg[1].prot, ELF_PROT_R);
	KT_EQ(im.seg[2].prot, ELF_PROT_R | ELF_PROT_W);
	KT_CHECK(im.seg[2].memsz > im.seg[2].filesz);            /* bss */
	KT_EQ(im.entry, 0x10000);
	KT_EQ(im.flags & 0x7, 0x1);                               /* RVC, soft float */
}

static void t_default_ld(const void *arg)
{
	struct elf_image im;

	(void)arg;
	if (!parse_fixture("elf-default.elf", &im))
		return;
	KT_REQUIRE(im.nsegs == 2);
	KT_EQ(im.seg[0].offset, 0);                               /* the headers are mapped too */
	KT_EQ(im.seg[0].prot, ELF_PROT_R | ELF_PROT_X);
	KT_EQ(im.seg[1].prot, ELF_PROT_R | ELF_PROT_W);
}

static void t_bigbss(const void *arg)
{
	struct elf_image im;

	(void)arg;
	if (!parse_fixture("elf-bigbss.elf", &im))
		return;
	KT_REQUIRE(im.nsegs == 2);
	KT_CHECK(im.seg[1].memsz >= 0x40000000 && im.seg[1].filesz < 0x1000);
}

static void t_lp64d(const void *arg)
{
	struct elf_image im;

	(void)arg;
	if (parse_fixture("elf-lp64d.elf", &im))
		KT_EQ(im.flags & 0x6, 0x4);                       /* EF_RISCV_FLOAT_ABI_DOUBLE */
}

struct refusal {
	const char *file;
	int want;
};

static const struct refusal refusals[] = {
	{ "elf-omagic.elf", ELF_E_WX },          /* ld -N: one RWX segment */
	{ "elf-rv32.elf", ELF_E_CLASS },
	{ "elf-high.elf", ELF_E_RANGE },         /* linked at the end of the user half */
	{ "elf-low.elf", ELF_E_RANGE },          /* linked at 0: the NULL page */
	{ "elf-rel.o", ELF_E_TYPE },
};

static void t_refused(const void *arg)
{
	const struct refusal *r = arg;
	struct elf_image im;
	size_t len;
	uint8_t *b = load_fixture(r->file, &len);

	if (!b)
		return;
	KT_EQ(elf_parse(b, len, &im), r->want);
	free(b);
}

/* This test program itself: an x86-64 executable, ET_DYN when built PIE. */
static void t_host_binary(const void *arg)
{
	struct elf_image im;
	size_t len = 0;
	uint8_t *b = NULL, buf[1 << 16];
	FILE *fp = fopen("/proc/self/exe", "rb");

	(void)arg;
	KT_REQUIRE(fp);
	len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	KT_REQUIRE(len >= EH_SIZE);
	b = blob_dup(buf, len);
	KT_EQ(elf_parse(b, len, &im), rd(b + EH_TYPE, 2) == 2 ? ELF_E_MACHINE : ELF_E_TYPE);
	free(b);
}

/* Every prefix shorter than what the headers reference is refused; every
 * longer one parses to the same result.  Also at odd addresses. */
static void t_truncate(const void *arg)
{
	struct elf_image full, im;
	size_t len, need;
	uint8_t *b = load_fixture(arg, &len);

	if (!b)
		return;
	KT_REQUIRE(elf_parse(b, len, &full) == 0);
	need = needed_len(b);
	KT_CHECK(need <= len);
	for (size_t cut = 0; cut <= len; cut++) {
		int r = parse_copy(b, cut, cut % 8, &im);

		if (cut < need) {
			KT_CHECK(r < 0);
		} else {
			KT_EQ(r, 0);
			KT_CHECK(same_image(&im, &full));
		}
	}
	free(b);
}

/* Seeded random damage, mostly in the headers where it matters: every
 * image that still parses must obey the rules. */
static void t_flips(const void *arg)
{
	struct elf_image im;
	size_t len, hdr;
	uint8_t *b = load_fixture(arg, &len), *c;
	int parsed = 0;

	if (!b)
		return;
	hdr = rd(b + EH_PHOFF, 8) + rd(b + EH_PHNUM, 2) * PH_SIZE;
	KT_REQUIRE(hdr <= len);
	kt_srand(0x656c6601 + len);
	for (int round = 0; round < 20000; round++) {
		c = blob_dup(b, len);
		for (int k = 1 + (int)(kt_rand() % 3); k > 0; k--) {
			size_t at = kt_rand() % 8 ? kt_rand() % hdr : kt_rand() % len;
			uint8_t v = (uint8_t)kt_rand();

			c[at] = kt_rand() % 2 ? v : c[at] ^ (uint8_t)(1u << (v % 8));
		}
		if (elf_parse(c, len, &im) == 0) {
			parsed++;
			check_rules(c, len, &im);
		}
		free(c);
	}
	printf("# %s: %d of 20000 damaged images still parsed\n", (const char *)arg, parsed);
	free(b);
}

/* A newc header with the given mode, file size and name size. */
static void newc_header(uint8_t *dst, uint32_t mode, uint32_t size, uint32_t namesize)
{
	const uint32_t f[13] = { 1, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, namesize, 0 };
	char d[9];

	memcpy(dst, "070701", 6);
	for (int k = 0; k < 13; k++) {
		snprintf(d, sizeof(d), "%08X", f[k]);
		memcpy(dst + 6 + 8 * k, d, 8);
	}
}

/* An executable inside a cpio archive is only 4-byte aligned: "bin/x" puts
 * the data at offset 116, 4 mod 8. */
static void t_inside_cpio(const void *arg)
{
	struct elf_image direct, via;
	struct cpio_entry e;
	size_t len, alen, tail;
	uint8_t *b = load_fixture("elf-user.elf", &len), *a;

	(void)arg;
	if (!b)
		return;
	tail = 116 + ((len + 3) & ~(size_t)3);
	alen = tail + CPIO_HEADER_SIZE + 11;
	a = calloc(1, alen);
	newc_header(a, 0100755, (uint32_t)len, 6);
	memcpy(a + CPIO_HEADER_SIZE, "bin/x", 6);
	memcpy(a + 116, b, len);
	newc_header(a + tail, 0, 0, 11);
	memcpy(a + tail + CPIO_HEADER_SIZE, "TRAILER!!!", 11);
	KT_EQ(cpio_find(a, alen, "/bin/x", &e), 0);
	KT_EQ(e.data - a, 116);
	KT_EQ((uintptr_t)e.data % 8, 4);
	KT_EQ(elf_parse(b, len, &direct), 0);
	KT_EQ(elf_parse(e.data, e.size, &via), 0);
	KT_CHECK(same_image(&direct, &via));
	free(a);
	free(b);
}

/* ---- hand-built images ----------------------------------------------------- */

/* Text R+X at 0x10000 from offset 0 (0x1000 bytes, headers included), data
 * R+W at 0x11000 from offset 0x1000 (0x100 bytes in the file, 0x2000 in
 * memory), entry 0x10100. */
#define BASE_LEN 0x1100u

struct img {
	uint8_t b[0x3000];
};

static void put_phdr(struct img *m, unsigned i, uint32_t type, uint32_t flags, uint64_t off,
		     uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	uint8_t *ph = m->b + EH_SIZE + i * PH_SIZE;

	wr(ph + PH_TYPE, 4, type);
	wr(ph + PH_FLAGS, 4, flags);
	wr(ph + PH_OFFSET, 8, off);
	wr(ph + PH_VADDR, 8, vaddr);
	wr(ph + 24, 8, vaddr);
	wr(ph + PH_FILESZ, 8, filesz);
	wr(ph + PH_MEMSZ, 8, memsz);
	wr(ph + 48, 8, PAGE);
}

static void put_ehdr(struct img *m, unsigned phnum)
{
	memcpy(m->b, "\177ELF", 4);
	m->b[EH_CLASS] = 2;
	m->b[EH_DATA] = 1;
	m->b[EH_IVERSION] = 1;
	wr(m->b + EH_TYPE, 2, 2);
	wr(m->b + EH_MACHINE, 2, 243);
	wr(m->b + EH_VERSION, 4, 1);
	wr(m->b + EH_ENTRY, 8, 0x10100);
	wr(m->b + EH_PHOFF, 8, EH_SIZE);
	wr(m->b + EH_FLAGS, 4, 1);
	wr(m->b + 52, 2, EH_SIZE);
	wr(m->b + EH_PHENTSIZE, 2, PH_SIZE);
	wr(m->b + EH_PHNUM, 2, phnum);
}

static void base_image(struct img *m)
{
	memset(m, 0, sizeof(*m));
	put_ehdr(m, 2);
	put_phdr(m, 0, 1, 5, 0, 0x10000, 0x1000, 0x1000);
	put_phdr(m, 1, 1, 6, 0x1000, 0x11000, 0x100, 0x2000);
}

/* One field edit: in the ELF header (ph < 0) or in program header ph. */
struct edit {
	int ph;
	unsigned at, size;
	uint64_t val;
};

struct edit_case {
	const char *what;
	struct edit e[4];           /* those with .size 0 do nothing */
	int want;
};

#define EH(at, size, v)  { -1, (at), (size), (v) }
#define PH(i, at, v)     { (i), (at), (at) == PH_TYPE || (at) == PH_FLAGS ? 4 : 8, (v) }
#define NONE             { 0, 0, 0, 0 }
#define UEND             ELF_USER_END

static const struct edit_case edits[] = {
	{ "valid", { NONE, NONE }, 0 },
	{ "magic", { EH(1, 1, 'e'), NONE }, ELF_E_MAGIC },
	{ "ELFCLASS32", { EH(EH_CLASS, 1, 1), NONE }, ELF_E_CLASS },
	{ "ELFCLASSNONE", { EH(EH_CLASS, 1, 0), NONE }, ELF_E_CLASS },
	{ "big endian", { EH(EH_DATA, 1, 2), NONE }, ELF_E_ENDIAN },
	{ "e_ident version", { EH(EH_IVERSION, 1, 0), NONE }, ELF_E_VERSION },
	{ "e_version", { EH(EH_VERSION, 4, 2), NONE }, ELF_E_VERSION },
	{ "ET_REL", { EH(EH_TYPE, 2, 1), NONE }, ELF_E_TYPE },
	{ "ET_DYN", { EH(EH_TYPE, 2, 3), NONE }, ELF_E_TYPE },
	{ "ET_CORE", { EH(EH_TYPE, 2, 4), NONE }, ELF_E_TYPE },
	{ "EM_X86_64", { EH(EH_MACHINE, 2, 62), NONE }, ELF_E_MACHINE },
	{ "RVE", { EH(EH_FLAGS, 4, 0x9), NONE }, ELF_E_FLAGS },
	{ "double-float ABI is the caller's policy", { EH(EH_FLAGS, 4, 0x5), NONE }, 0 },
	{ "OS ABI is not checked", { EH(7, 1, 3), NONE }, 0 },
	{ "phentsize 32", { EH(EH_PHENTSIZE, 2, 32), NONE }, ELF_E_PHDR },
	{ "phnum PN_XNUM", { EH(EH_PHNUM, 2, 0xffff), NONE }, ELF_E_PHDR },
	{ "phnum past the end", { EH(EH_PHNUM, 2, 77), NONE }, ELF_E_PHDR },
	{ "phnum to the end", { EH(EH_PHNUM, 2, 76), NONE }, 0 },
	{ "phoff past the end", { EH(EH_PHOFF, 8, BASE_LEN + 8), NONE }, ELF_E_PHDR },
	{ "phoff near the end", { EH(EH_PHOFF, 8, BASE_LEN - 8), NONE }, ELF_E_PHDR },
	{ "phoff wraps", { EH(EH_PHOFF, 8, UINT64_MAX - 8), NONE }, ELF_E_PHDR },
	{ "phnum 0", { EH(EH_PHNUM, 2, 0), NONE }, ELF_E_NOLOAD },
	{ "no PT_LOAD", { PH(0, PH_TYPE, 4), PH(1, PH_TYPE, 0x6474e551) }, ELF_E_NOLOAD },
	{ "PT_INTERP", { PH(0, PH_TYPE, 3), NONE }, ELF_E_DYNAMIC },
	{ "PT_DYNAMIC", { PH(1, PH_TYPE, 2), NONE }, ELF_E_DYNAMIC },
	{ "text is a note: no code", { PH(0, PH_TYPE, 4), NONE }, ELF_E_ENTRY },
	{ "unknown types ignored", { PH(1, PH_TYPE, 0x6fffffff), NONE }, 0 },
	{ "filesz > memsz", { PH(1, PH_FILESZ, 0x2001), NONE }, ELF_E_FILESZ },
	{ "offset past the end", { PH(1, PH_OFFSET, 0x2000), NONE }, ELF_E_OFFSET },
	{ "filesz past the end", { PH(1, PH_FILESZ, 0x101), NONE }, ELF_E_OFFSET },
	{ "offset + filesz wraps", { PH(1, PH_OFFSET, UINT64_MAX - 0xfff), NONE }, ELF_E_OFFSET },
	{ "vaddr and offset not congruent", { PH(1, PH_VADDR, 0x11010), NONE }, ELF_E_ALIGN },
	{ "data in the NULL page", { PH(1, PH_VADDR, 0), NONE }, ELF_E_RANGE },
	{ "data ends at the user end", { PH(1, PH_VADDR, UEND - 0x2000), NONE }, 0 },
	{ "data past the user end", { PH(1, PH_VADDR, UEND - 0x1000), NONE }, ELF_E_RANGE },
	{ "data at the user end", { PH(1, PH_VADDR, UEND), NONE }, ELF_E_RANGE },
	{ "data in the kernel half", { PH(1, PH_VADDR, 0xffffffc000000000ull), NONE }, ELF_E_RANGE },
	{ "memsz wraps", { PH(1, PH_MEMSZ, UINT64_MAX), NONE }, ELF_E_RANGE },
	{ "same pages", { PH(1, PH_VADDR, 0x10000), NONE }, ELF_E_OVERLAP },
	{ "data below, overlapping", { PH(1, PH_VADDR, 0xf000), NONE }, ELF_E_OVERLAP },
	{ "data below, adjacent", { PH(1, PH_VADDR, 0xe000), NONE }, 0 },
	{ "data sharing text's last page", { PH(0, PH_MEMSZ, 0x1001), NONE }, ELF_E_OVERLAP },
	{ "data inside text", { PH(0, PH_MEMSZ, 0x10000), PH(1, PH_VADDR, 0x13000) },
	  ELF_E_OVERLAP },
	{ "data starts in text's last page", { PH(0, PH_FILESZ, 0x800), PH(0, PH_MEMSZ, 0x800),
					       PH(1, PH_OFFSET, 0x800), PH(1, PH_VADDR, 0x10800) },
	  ELF_E_OVERLAP },
	{ "data starts on the page after text's", { PH(0, PH_FILESZ, 0x800), PH(0, PH_MEMSZ, 0x800),
						    PH(1, PH_OFFSET, 0x800), PH(1, PH_VADDR, 0x11800) },
	  0 },
	{ "text RWX", { PH(0, PH_FLAGS, 7), NONE }, ELF_E_WX },
	{ "text WX", { PH(0, PH_FLAGS, 3), NONE }, ELF_E_WX },
	{ "data RWX", { PH(1, PH_FLAGS, 7), NONE }, ELF_E_WX },
	{ "entry odd", { EH(EH_ENTRY, 8, 0x10101), NONE }, ELF_E_ENTRY },
	{ "entry in data", { EH(EH_ENTRY, 8, 0x11000), NONE }, ELF_E_ENTRY },
	{ "entry before text", { EH(EH_ENTRY, 8, 0xfffe), NONE }, ELF_E_ENTRY },
	{ "entry at text start", { EH(EH_ENTRY, 8, 0x10000), NONE }, 0 },
	{ "entry at text's last halfword", { EH(EH_ENTRY, 8, 0x10ffe), NONE }, 0 },
	{ "entry in text's zero fill", { PH(0, PH_FILESZ, 0x100), NONE }, ELF_E_ENTRY },
	{ "entry in a read-only segment", { PH(0, PH_FLAGS, 4), NONE }, ELF_E_ENTRY },
	{ "empty text dropped", { PH(0, PH_MEMSZ, 0), PH(0, PH_FILESZ, 0) }, ELF_E_ENTRY },
	{ "empty data dropped", { PH(1, PH_MEMSZ, 0), PH(1, PH_FILESZ, 0) }, 0 },
};

static void apply(struct img *m, const struct edit *e)
{
	uint8_t *p = e->ph < 0 ? m->b : m->b + EH_SIZE + (unsigned)e->ph * PH_SIZE;

	if (e->size)
		wr(p + e->at, e->size, e->val);
}

static void t_edits(const void *arg)
{
	struct elf_image im;
	struct img m;

	(void)arg;
	for (size_t i = 0; i < KT_COUNT(edits); i++) {
		const struct edit_case *c = &edits[i];
		int r;

		base_image(&m);
		for (size_t k = 0; k < KT_COUNT(c->e); k++)
			apply(&m, &c->e[k]);
		r = parse_copy(m.b, BASE_LEN, i % 5, &im);
		if (r != c->want)
			kt_fail(__FILE__, __LINE__, "%s: got %d (%s), want %d (%s)", c->what, r,
				elf_strerror(r), c->want, elf_strerror(c->want));
		else if (r == 0)
			check_rules(m.b, BASE_LEN, &im);
	}
}

static void t_base_result(const void *arg)
{
	struct elf_image im;
	struct img m;

	(void)arg;
	base_image(&m);
	KT_REQUIRE(parse_copy(m.b, BASE_LEN, 3, &im) == 0);
	KT_EQ(im.entry, 0x10100);
	KT_EQ(im.flags, 1);
	KT_REQUIRE(im.nsegs == 2);
	KT_EQ(im.seg[0].vaddr, 0x10000);
	KT_EQ(im.seg[0].memsz, 0x1000);
	KT_EQ(im.seg[0].offset, 0);
	KT_EQ(im.seg[0].filesz, 0x1000);
	KT_EQ(im.seg[0].prot, ELF_PROT_R | ELF_PROT_X);
	KT_EQ(im.seg[1].vaddr, 0x11000);
	KT_EQ(im.seg[1].memsz, 0x2000);
	KT_EQ(im.seg[1].offset, 0x1000);
	KT_EQ(im.seg[1].filesz, 0x100);
	KT_EQ(im.seg[1].prot, ELF_PROT_R | ELF_PROT_W);
	KT_EQ(parse_copy(m.b, EH_SIZE - 1, 0, &im), ELF_E_TRUNCATED);
}

/* n PT_LOAD segments on pages of their own (and one empty one, which does
 * not count). */
static int parse_many(unsigned n)
{
	struct elf_image im;
	struct img m;

	memset(&m, 0, sizeof(m));
	put_ehdr(&m, n + 1);
	put_phdr(&m, 0, 1, 5, 0, 0x10000, 0x1000, 0x1000);
	for (unsigned i = 1; i < n; i++)
		put_phdr(&m, i, 1, 4, 0, 0x10000 + i * 0x2000, 0x1000, 0x1000);
	put_phdr(&m, n, 1, 6, 0, 0x80000, 0, 0);
	return parse_copy(m.b, 0x1000, 0, &im);
}

static void t_segment_count(const void *arg)
{
	(void)arg;
	KT_EQ(parse_many(1), 0);
	KT_EQ(parse_many(ELF_MAX_SEGMENTS), 0);
	KT_EQ(parse_many(ELF_MAX_SEGMENTS + 1), ELF_E_TOOMANY);
}

/* e_phnum 0xffff means "the count is elsewhere" (section header 0), which
 * a static executable never needs: refused even when the table would fit. */
static void t_pn_xnum(const void *arg)
{
	size_t len = EH_SIZE + 0xffffu * PH_SIZE;
	uint8_t *big = calloc(1, len);
	struct elf_image im;
	struct img m;

	(void)arg;
	base_image(&m);
	memcpy(big, m.b, BASE_LEN);
	KT_EQ(elf_parse(big, len, &im), 0);
	wr(big + EH_PHNUM, 2, 0xfffe);
	KT_EQ(elf_parse(big, len, &im), 0);
	wr(big + EH_PHNUM, 2, 0xffff);
	KT_EQ(elf_parse(big, len, &im), ELF_E_PHDR);
	free(big);
}

static void t_strerror(const void *arg)
{
	(void)arg;
	for (int e = ELF_E_ENTRY; e <= 0; e++) {
		KT_CHECK(strcmp(elf_strerror(e), "unknown error") != 0);
		for (int f = e + 1; f <= 0; f++)
			KT_CHECK(strcmp(elf_strerror(e), elf_strerror(f)) != 0);
	}
	KT_STREQ(elf_strerror(ELF_E_ENTRY - 1), "unknown error");
	KT_STREQ(elf_strerror(1), "unknown error");
}

static const struct kt_case cases[] = {
	{ "user_ld_program", t_user_ld, NULL },
	{ "default_ld_program", t_default_ld, NULL },
	{ "gigabyte_bss", t_bigbss, NULL },
	{ "double_float_abi_reported", t_lp64d, NULL },
	{ "refuse_rwx_omagic", t_refused, &refusals[0] },
	{ "refuse_rv32", t_refused, &refusals[1] },
	{ "refuse_above_user_half", t_refused, &refusals[2] },
	{ "refuse_null_page", t_refused, &refusals[3] },
	{ "refuse_relocatable", t_refused, &refusals[4] },
	{ "refuse_host_binary", t_host_binary, NULL },
	{ "truncate_user_ld", t_truncate, "elf-user.elf" },
	{ "truncate_default_ld", t_truncate, "elf-default.elf" },
	{ "truncate_lp64d", t_truncate, "elf-lp64d.elf" },
	{ "flips_user_ld", t_flips, "elf-user.elf" },
	{ "flips_default_ld", t_flips, "elf-default.elf" },
	{ "flips_bigbss", t_flips, "elf-bigbss.elf" },
	{ "inside_cpio_unaligned", t_inside_cpio, NULL },
	{ "handmade_base_result", t_base_result, NULL },
	{ "handmade_one_rule_at_a_time", t_edits, NULL },
	{ "segment_count_limit", t_segment_count, NULL },
	{ "phnum_pn_xnum", t_pn_xnum, NULL },
	{ "strerror", t_strerror, NULL },
};

int main(int argc, char **argv)
{
	if (argc > 1)
		blob_dir = argv[1];
	return kt_run(cases, KT_COUNT(cases));
}
