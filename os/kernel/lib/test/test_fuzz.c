/* Robustness of the FDT reader and platform_parse() against damaged blobs:
 * every truncation of real trees, truncations with the header patched to
 * match, and thousands of seeded random byte flips.  Every blob sits in a
 * heap buffer of exactly its length, so ASan reports any read past it; a
 * parse that succeeds must describe only memory inside the blob. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blob.h"
#include "fdt.h"
#include "ktap.h"
#include "platform.h"

struct flip_cfg {
	const char *dtb;
	unsigned iterations;
	uint64_t seed;
};

static const struct flip_cfg flips[] = {
	{ "virt-smp4.dtb", 2500, 0x6b65656c01 },
	{ "sifive_u-smp5.dtb", 1500, 0x6b65656c02 },
	{ "fu740.dtb", 2000, 0x6b65656c03 },
	{ "misc.dtb", 2000, 0x6b65656c04 },
};

/* The blob's own length (header totalsize), loaded into an exact buffer. */
static uint8_t *load_exact(const char *dtb, size_t *len)
{
	size_t file_len;
	uint8_t *file = blob_load(dtb, &file_len), *b;

	if (!file || file_len < 8) {
		kt_fail(__FILE__, __LINE__, "missing %s", dtb);
		free(file);
		return NULL;
	}
	*len = blob_get32(file + HDR_TOTALSIZE);
	if (*len > file_len)
		*len = file_len;
	b = blob_dup(file, *len);
	free(file);
	return b;
}

static bool inside(const void *p, const uint8_t *b, size_t len)
{
	return (const uint8_t *)p >= b && (const uint8_t *)p < b + len;
}

/* NULL, or a string that starts and ends inside the blob. */
static bool str_ok(const char *s, const uint8_t *b, size_t len)
{
	return !s || (inside(s, b, len) && memchr(s, 0, (size_t)(b + len - (const uint8_t *)s)));
}

static bool harts_ok(const struct platform *p, const uint8_t *b, size_t len)
{
	int i;

	for (i = 0; i < p->nharts; i++) {
		const struct plat_hart *h = &p->hart[i];

		if (h->accepted != (h->reason == NULL) || !str_ok(h->isa, b, len))
			return false;
		if (h->reason && inside(h->reason, b, len))
			return false;
		if (h->plic_sctx < -1)
			return false;
	}
	return true;
}

static bool devices_ok(const struct platform *p, const uint8_t *b, size_t len)
{
	int i, j;

	for (i = 0; i < p->nuarts; i++) {
		if (p->uart[i].kind != PLAT_UART_NS16550 && p->uart[i].kind != PLAT_UART_SIFIVE)
			return false;
	}
	for (i = 0; i < p->npci; i++) {
		const struct plat_pci *pc = &p->pci[i];

		if (pc->nregs < 0 || pc->nregs > PLAT_MAX_PCI_REGS || pc->bus_start > pc->bus_end)
			return false;
		if (!str_ok(pc->compatible, b, len))
			return false;
		for (j = 0; j < pc->nregs; j++) {
			if (!str_ok(pc->reg[j].name, b, len))
				return false;
		}
	}
	return p->stdout_uart >= -1 && p->stdout_uart < p->nuarts;
}

/* Everything a successful parse reports must be in range and in the blob. */
static bool plat_ok(const struct platform *p, const uint8_t *b, size_t len)
{
	if (p->nmem < 0 || p->nmem > PLAT_MAX_MEM || p->nrsv < 0 || p->nrsv > PLAT_MAX_RSV)
		return false;
	if (p->nharts < 0 || p->nharts > PLAT_MAX_HARTS || p->nuarts < 0 ||
	    p->nuarts > PLAT_MAX_UARTS || p->nvirtio < 0 || p->nvirtio > PLAT_MAX_VIRTIO ||
	    p->npci < 0 || p->npci > PLAT_MAX_PCI)
		return false;
	if (!str_ok(p->compatible, b, len) || !str_ok(p->model, b, len) ||
	    !str_ok(p->bootargs, b, len))
		return false;
	if (p->fdt_size > len || (p->has_initrd && p->initrd_end < p->initrd_start))
		return false;
	return harts_ok(p, b, len) && devices_ok(p, b, len);
}

/* Walks every node of a blob that passed fdt_init() through the lookups a
 * kernel would use; nothing may read outside it (ASan watches). */
static void exercise(const uint8_t *b, size_t len)
{
	uint64_t base, size;
	const char *name;
	struct fdt f;
	int node, n = 0;

	if (fdt_init(&f, b, len))
		return;
	for (node = fdt_root(&f); node >= 0 && n < 24; node = fdt_next_node(&f, node, NULL), n++) {
		fdt_node_name(&f, node, &name);
		fdt_prop(&f, node, "compatible", NULL);
		fdt_node_compatible(&f, node, "ns16550a");
		fdt_node_enabled(&f, node);
		fdt_reg(&f, node, 0, &base, &size);
		fdt_parent(&f, node);
		fdt_first_subnode(&f, node);
	}
	fdt_node_by_phandle(&f, 1);
	fdt_path(&f, "/soc/serial");
	fdt_path(&f, "serial0:115200");
	fdt_rsv_entry(&f, 3, &base, &size);
}

/* Parses b twice: both runs must agree, and a success must be consistent. */
static bool parse_checked(const uint8_t *b, size_t len, int *err)
{
	static struct platform p1, p2;
	int e2;

	*err = platform_parse(b, len, &p1);
	e2 = platform_parse(b, len, &p2);
	if (*err != e2 || (*err == 0 && memcmp(&p1, &p2, sizeof(p1)) != 0))
		return false;
	return *err != 0 || plat_ok(&p1, b, len);
}

/* Every prefix of the blob, with the header untouched: only the whole blob
 * may parse. */
static void t_truncate(const void *arg)
{
	const char *dtb = arg;
	size_t len, n;
	uint8_t *b = load_exact(dtb, &len), *cut;
	int err, bad = 0;

	KT_REQUIRE(b);
	for (n = 0; n <= len; n++) {
		cut = blob_dup(b, n);
		if (!parse_checked(cut, n, &err) || (n < len) != (err != 0))
			bad++;
		free(cut);
	}
	KT_EQ(bad, 0);
	free(b);
}

/* Clips a header block size so the block ends by `len`. */
static void clip_block(uint8_t *b, size_t len, unsigned off_field, unsigned size_field)
{
	uint32_t off = blob_get32(b + off_field), size = blob_get32(b + size_field);

	if (off >= len)
		blob_put32(b + size_field, 0);
	else if (size > len - off)
		blob_put32(b + size_field, (uint32_t)(len - off));
}

/* Every prefix, with totalsize and the block sizes rewritten to fit, so the
 * structure and strings blocks themselves end early. */
static void t_cut_fixup(const void *arg)
{
	const char *dtb = arg;
	size_t len, n;
	uint8_t *b = load_exact(dtb, &len), *cut;
	int err, bad = 0, parsed = 0;

	KT_REQUIRE(b);
	for (n = 40; n <= len; n++) {
		cut = blob_dup(b, n);
		blob_put32(cut + HDR_TOTALSIZE, (uint32_t)n);
		clip_block(cut, n, HDR_OFF_STRUCT, HDR_SIZE_STRUCT);
		clip_block(cut, n, HDR_OFF_STRINGS, HDR_SIZE_STRINGS);
		if (!parse_checked(cut, n, &err))
			bad++;
		parsed += err == 0;
		exercise(cut, n);
		free(cut);
	}
	KT_EQ(bad, 0);
	KT_CHECK(parsed >= 1);   /* at least the whole blob */
	free(b);
}

static void flip_bytes(uint8_t *b, size_t len, size_t lo, size_t hi)
{
	unsigned k, nflips = 1 + (unsigned)(kt_rand() % 4);
	size_t pos;

	for (k = 0; k < nflips; k++) {
		pos = lo + (size_t)(kt_rand() % (hi - lo));
		if (pos < len)
			b[pos] ^= (uint8_t)(1 + kt_rand() % 255);
	}
}

/* Random byte flips: anywhere, or only in the structure block. */
static void t_flips(const void *arg)
{
	const struct flip_cfg *c = arg;
	size_t len, st_lo, st_hi;
	uint8_t *b = load_exact(c->dtb, &len), *m;
	unsigned i, bad = 0, parsed = 0;
	int err;

	KT_REQUIRE(b);
	kt_srand(c->seed);
	st_lo = blob_get32(b + HDR_OFF_STRUCT);
	st_hi = st_lo + blob_get32(b + HDR_SIZE_STRUCT);
	for (i = 0; i < c->iterations; i++) {
		m = blob_dup(b, len);
		if (i % 2)
			flip_bytes(m, len, st_lo, st_hi);
		else
			flip_bytes(m, len, 0, len);
		if (!parse_checked(m, len, &err))
			bad++;
		parsed += err == 0;
		if (i % 4 == 0)
			exercise(m, len);
		free(m);
	}
	KT_EQ(bad, 0);
	/* Some flips land in values and keep the tree usable; some must not. */
	KT_CHECK(parsed > 0 && parsed < c->iterations);
	printf("# %s: %u of %u damaged blobs still parsed\n", c->dtb, parsed, c->iterations);
	free(b);
}

/* Random values in every header field. */
static void t_header_fields(const void *arg)
{
	size_t len;
	uint8_t *b = load_exact("virt-smp4.dtb", &len), *m;
	unsigned field, i, bad = 0;
	int err;

	(void)arg;
	KT_REQUIRE(b);
	kt_srand(0x6b65656c05);
	for (field = 0; field < 40; field += 4) {
		for (i = 0; i < 300; i++) {
			m = blob_dup(b, len);
			blob_put32(m + field, i < 100 ? (uint32_t)kt_rand() : (uint32_t)(kt_rand() % (len + 64)));
			if (!parse_checked(m, len, &err))
				bad++;
			exercise(m, len);
			free(m);
		}
	}
	KT_EQ(bad, 0);
	free(b);
}

static const struct kt_case cases[] = {
	{ "truncate_virt_smp1", t_truncate, "virt-smp1.dtb" },
	{ "truncate_virt_smp4", t_truncate, "virt-smp4.dtb" },
	{ "truncate_virt_smp8", t_truncate, "virt-smp8.dtb" },
	{ "truncate_virt_8g", t_truncate, "virt-8g.dtb" },
	{ "truncate_sifive_u", t_truncate, "sifive_u-smp5.dtb" },
	{ "truncate_fu740", t_truncate, "fu740.dtb" },
	{ "truncate_misc", t_truncate, "misc.dtb" },
	{ "cut_fixup_virt_smp1", t_cut_fixup, "virt-smp1.dtb" },
	{ "cut_fixup_virt_smp4", t_cut_fixup, "virt-smp4.dtb" },
	{ "cut_fixup_virt_smp8", t_cut_fixup, "virt-smp8.dtb" },
	{ "cut_fixup_virt_8g", t_cut_fixup, "virt-8g.dtb" },
	{ "cut_fixup_sifive_u", t_cut_fixup, "sifive_u-smp5.dtb" },
	{ "cut_fixup_fu740", t_cut_fixup, "fu740.dtb" },
	{ "cut_fixup_misc", t_cut_fixup, "misc.dtb" },
	{ "flips_virt_smp4", t_flips, &flips[0] },
	{ "flips_sifive_u", t_flips, &flips[1] },
	{ "flips_fu740", t_flips, &flips[2] },
	{ "flips_misc", t_flips, &flips[3] },
	{ "header_fields_random", t_header_fields, NULL },
};

int main(int argc, char **argv)
{
	if (argc > 1)
		blob_dir = argv[1];
	return kt_run(cases, KT_COUNT(cases));
}
