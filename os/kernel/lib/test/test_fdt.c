/* Host tests of the FDT reader: lookups on real and hand-written trees, and
 * hand-made malformed blobs, each of which must be refused with its error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blob.h"
#include "fdt.h"
#include "ktap.h"

static const char *const real_dtbs[] = {
	"virt-smp1.dtb", "virt-smp4.dtb", "virt-smp8.dtb", "virt-8g.dtb",
	"sifive_u-smp5.dtb", "fu740.dtb", "misc.dtb",
};

/* Loads a DTB and initialises f over it; NULL (case failed) on error. */
static uint8_t *open_dtb(const char *name, struct fdt *f)
{
	size_t len;
	uint8_t *b = blob_load(name, &len);
	int err;

	if (!b) {
		kt_fail(__FILE__, __LINE__, "missing %s", name);
		return NULL;
	}
	err = fdt_init(f, b, len);
	if (err) {
		kt_fail(__FILE__, __LINE__, "fdt_init(%s) = %d", name, err);
		free(b);
		return NULL;
	}
	return b;
}

static uint32_t marker(const struct fdt *f, int node)
{
	uint32_t v = 0;

	return fdt_prop_u32(f, node, "marker", &v) == 0 ? v : 0;
}

static const char *name_of(const struct fdt *f, int node)
{
	const char *n = NULL;

	return fdt_node_name(f, node, &n) >= 0 ? n : "(error)";
}

static void t_init_real(const void *arg)
{
	size_t i, len;
	struct fdt f;

	(void)arg;
	for (i = 0; i < KT_COUNT(real_dtbs); i++) {
		uint8_t *b = blob_load(real_dtbs[i], &len);

		KT_REQUIRE(b);
		KT_EQ(fdt_init(&f, b, len), 0);
		KT_CHECK(f.size <= len && f.size == blob_get32(b + HDR_TOTALSIZE));
		free(b);
	}
}

static void t_root_name(const struct fdt *f)
{
	const char *n = "x";
	int root;

	root = fdt_root(f);
	KT_CHECK(root >= 0);
	KT_EQ(fdt_node_name(f, root, &n), 0);
	KT_STREQ(n, "");
	KT_EQ(fdt_parent(f, root), FDT_E_NOTFOUND);
}

static void t_path_virt(const struct fdt *f)
{
	int serial;

	serial = fdt_path(f, "/soc/serial@10000000");
	KT_CHECK(serial >= 0);
	KT_STREQ(name_of(f, serial), "serial@10000000");
	KT_EQ(fdt_path(f, "/soc/serial"), serial);
	KT_EQ(fdt_path(f, "//soc//serial@10000000/"), serial);
	KT_EQ(fdt_path(f, "/"), fdt_root(f));
	KT_STREQ(name_of(f, fdt_path(f, "/cpus")), "cpus");
	KT_STREQ(name_of(f, fdt_path(f, "/cpus/cpu@3")), "cpu@3");
	KT_STREQ(name_of(f, fdt_path(f, "/soc/plic")), "plic@c000000");
	KT_EQ(fdt_path(f, "/cpus/cpu@4"), FDT_E_NOTFOUND);
	KT_EQ(fdt_path(f, "/soc/serial@1"), FDT_E_NOTFOUND);
	KT_EQ(fdt_path(f, "/nonexistent"), FDT_E_NOTFOUND);
	KT_EQ(fdt_path(f, "/soc/seria"), FDT_E_NOTFOUND);
	KT_EQ(fdt_path(f, ""), FDT_E_BADPATH);
	/* No /aliases node in this tree. */
	KT_EQ(fdt_path(f, "serial0"), FDT_E_NOTFOUND);
}

static void t_path_exact_wins(const struct fdt *f)
{
	KT_EQ(marker(f, fdt_path(f, "/dup/foo")), 2);
	KT_EQ(marker(f, fdt_path(f, "/dup/foo@1")), 1);
	KT_EQ(marker(f, fdt_path(f, "/dup/bar")), 3);
	KT_EQ(fdt_path(f, "/dup/foo@"), FDT_E_NOTFOUND);
	KT_EQ(fdt_path(f, "/dup/fo"), FDT_E_NOTFOUND);
}

static void t_path_alias(const struct fdt *f)
{
	int serial;

	serial = fdt_path(f, "/bus1/bus2/serial@2000");
	KT_CHECK(serial >= 0);
	KT_EQ(fdt_path(f, "con"), serial);
	KT_EQ(fdt_path_n(f, "con:115200n8", 3), serial);
	KT_EQ(fdt_path(f, "bad"), FDT_E_BADPATH);
	KT_EQ(fdt_path(f, "nosuch"), FDT_E_NOTFOUND);
	KT_EQ(fdt_path(f, "con/child"), FDT_E_NOTFOUND);
}

static void t_subnodes(const struct fdt *f)
{
	const char *expect[] = { "cpu@0", "cpu@1", "cpu@2", "cpu@3", "cpu-map" };
	int node, i = 0;

	for (node = fdt_first_subnode(f, fdt_path(f, "/cpus")); node >= 0;
	     node = fdt_next_subnode(f, node), i++) {
		KT_REQUIRE(i < 5);
		KT_STREQ(name_of(f, node), expect[i]);
	}
	KT_EQ(node, FDT_E_NOTFOUND);
	KT_EQ(i, 5);
	KT_EQ(fdt_first_subnode(f, fdt_path(f, "/soc/serial")), FDT_E_NOTFOUND);
}

/* Walks every node of one tree: the parent and path of each must lead back
 * to what the walk saw. */
static void check_walk(const char *dtb)
{
	int stack[FDT_MAX_DEPTH], node, depth = 1, count = 0;
	size_t plen[FDT_MAX_DEPTH] = { 0 };
	char path[4096];
	struct fdt f;
	uint8_t *b = open_dtb(dtb, &f);

	if (!b)
		return;
	stack[0] = fdt_root(&f);
	for (node = fdt_next_node(&f, stack[0], &depth); node >= 0;
	     node = fdt_next_node(&f, node, &depth), count++) {
		KT_REQUIRE(depth >= 2 && depth <= FDT_MAX_DEPTH);
		stack[depth - 1] = node;
		plen[depth - 1] = plen[depth - 2] +
			(size_t)snprintf(path + plen[depth - 2], sizeof(path) - plen[depth - 2],
					 "/%s", name_of(&f, node));
		KT_REQUIRE(plen[depth - 1] < sizeof(path));
		KT_EQ(fdt_parent(&f, node), stack[depth - 2]);
		KT_EQ(fdt_path(&f, path), node);
	}
	KT_EQ(node, FDT_E_NOTFOUND);
	KT_CHECK(count > 5);
	free(b);
}

static void t_walk_consistent(const void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < KT_COUNT(real_dtbs); i++)
		check_walk(real_dtbs[i]);
}

static void t_phandle(const struct fdt *f)
{
	uint32_t ph = 0;
	int plic;

	plic = fdt_path(f, "/soc/plic@c000000");
	KT_EQ(fdt_prop_u32(f, plic, "phandle", &ph), 0);
	KT_EQ(fdt_node_by_phandle(f, ph), plic);
	KT_EQ(fdt_node_by_phandle(f, 0), FDT_E_NOTFOUND);
	KT_EQ(fdt_node_by_phandle(f, 0xffffffff), FDT_E_NOTFOUND);
	KT_EQ(fdt_node_by_phandle(f, 0x12345), FDT_E_NOTFOUND);
}

static void t_props(const struct fdt *f)
{
	const void *val = NULL;
	const char *s = NULL;
	uint64_t v = 0;
	uint32_t u = 0;
	int root, chosen;

	root = fdt_root(f);
	chosen = fdt_path(f, "/chosen");
	KT_EQ(fdt_prop(f, root, "compatible", &val), 59);
	KT_CHECK(val && memcmp(val, "sifive,hifive-unmatched-a00", 28) == 0);
	KT_EQ(fdt_prop(f, root, "compatible", NULL), 59);
	KT_EQ(fdt_prop(f, root, "no-such-prop", &val), FDT_E_NOTFOUND);
	KT_EQ(fdt_prop(f, root, "compatibl", &val), FDT_E_NOTFOUND);
	KT_EQ(fdt_prop_string(f, root, "model", &s), 27);
	KT_STREQ(s, "SiFive HiFive Unmatched A00");
	KT_EQ(fdt_prop_u32(f, root, "model", &u), FDT_E_BADVALUE);
	KT_EQ(fdt_prop_u32(f, root, "#size-cells", &u), 0);
	KT_EQ(u, 2);
	KT_EQ(fdt_prop_uint(f, chosen, "linux,initrd-end", &v), 0);
	KT_EQ(v, 0x88412000);
	KT_EQ(fdt_prop_uint(f, chosen, "bootargs", &v), FDT_E_BADVALUE);
	KT_EQ(fdt_prop_uint(f, fdt_path(f, "/cpus"), "timebase-frequency", &v), 0);
	KT_EQ(v, 1000000);
	/* reserved-memory/linux,cma has an empty boolean property. */
	KT_EQ(fdt_prop(f, fdt_path(f, "/reserved-memory/linux,cma"), "reusable", &val), 0);
	KT_EQ(fdt_prop_string(f, fdt_path(f, "/reserved-memory/linux,cma"), "reusable", &s),
	      FDT_E_BADVALUE);
}

static void t_stringlist(const void *arg)
{
	static const char list[] = "a\0bc\0\0d";   /* sizeof includes the final NUL */
	static const char unterminated[] = { 'a', 0, 'b', 'c' };
	const char *s = NULL;

	(void)arg;
	KT_EQ(fdt_stringlist_get(list, sizeof(list), 0, &s), 1);
	KT_STREQ(s, "a");
	KT_EQ(fdt_stringlist_get(list, sizeof(list), 1, &s), 2);
	KT_STREQ(s, "bc");
	KT_EQ(fdt_stringlist_get(list, sizeof(list), 2, &s), 0);
	KT_EQ(fdt_stringlist_get(list, sizeof(list), 3, &s), 1);
	KT_STREQ(s, "d");
	KT_EQ(fdt_stringlist_get(list, sizeof(list), 4, &s), FDT_E_NOTFOUND);
	KT_EQ(fdt_stringlist_get(list, sizeof(list), -1, &s), FDT_E_NOTFOUND);
	KT_EQ(fdt_stringlist_contains(list, sizeof(list), "bc"), 1);
	KT_EQ(fdt_stringlist_contains(list, sizeof(list), "b"), 0);
	KT_EQ(fdt_stringlist_contains(list, sizeof(list), "bcd"), 0);
	KT_EQ(fdt_stringlist_contains(list, sizeof(list), ""), 1);
	KT_EQ(fdt_stringlist_contains(list, 0, "a"), 0);
	KT_EQ(fdt_stringlist_get(list, 0, 0, &s), FDT_E_NOTFOUND);
	KT_EQ(fdt_stringlist_get(unterminated, 4, 0, &s), FDT_E_BADVALUE);
	KT_EQ(fdt_stringlist_contains(unterminated, 4, "a"), FDT_E_BADVALUE);
	KT_EQ(fdt_stringlist_get(list, -4, 0, &s), FDT_E_BADVALUE);
}

static void t_cells(const void *arg)
{
	static const uint8_t raw[] = {
		0xff, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0, 0, 0, 1,
	};
	const uint8_t *c = raw + 1;    /* deliberately unaligned: 4 cells */
	uint64_t v = 0;

	(void)arg;
	KT_EQ(fdt_be32(c), 0);
	KT_EQ(fdt_be32(c + 12), 1);
	KT_EQ(fdt_be64(c + 4), 0x123456789abcdef0ull);
	KT_EQ(fdt_read_cells(c, 16, 3, 1, &v), 0);
	KT_EQ(v, 1);
	KT_EQ(fdt_read_cells(c, 16, 1, 2, &v), 0);
	KT_EQ(v, 0x123456789abcdef0ull);
	KT_EQ(fdt_read_cells(c, 16, 0, 3, &v), 0);        /* zero high cell */
	KT_EQ(v, 0x123456789abcdef0ull);
	KT_EQ(fdt_read_cells(c, 16, 1, 3, &v), FDT_E_BADVALUE);   /* 0x12345678 high cell */
	KT_EQ(fdt_read_cells(raw, 16, 0, 3, &v), FDT_E_BADVALUE);
	KT_EQ(fdt_read_cells(c, 16, 3, 2, &v), FDT_E_BADVALUE);
	KT_EQ(fdt_read_cells(c, 15, 2, 2, &v), FDT_E_BADVALUE);
	KT_EQ(fdt_read_cells(c, 16, -1, 1, &v), FDT_E_BADVALUE);
	KT_EQ(fdt_read_cells(c, 16, 0x7fffffff, 1, &v), FDT_E_BADVALUE);
	KT_EQ(fdt_read_cells(c, 16, 4, 0, &v), 0);
	KT_EQ(v, 0);
}

static void t_reg_translate(const struct fdt *f)
{
	uint64_t base = 0, size = 0;

	KT_EQ(fdt_reg(f, fdt_path(f, "/bus1/bus2/virtio@1100"), 0, &base, &size), 0);
	KT_EQ(base, 0x40200100);
	KT_EQ(size, 0x100);
	KT_EQ(fdt_reg(f, fdt_path(f, "/bus1/bus2/serial@2000"), 0, &base, &size), 0);
	KT_EQ(base, 0x40201000);
	KT_EQ(fdt_reg(f, fdt_path(f, "/bus1/bus2/serial@2000"), 1, &base, &size), FDT_E_NOTFOUND);
	KT_EQ(fdt_reg(f, fdt_path(f, "/bus3/thing@2000"), 0, &base, &size), FDT_E_NOTRANSLATE);
	KT_EQ(fdt_reg(f, fdt_path(f, "/memory@80000000"), 1, &base, &size), 0);
	KT_EQ(base, 0xa0000000);
	KT_EQ(size, 0x8000000);
	KT_EQ(fdt_reg(f, fdt_path(f, "/memory@80000000"), 2, &base, &size), FDT_E_NOTFOUND);
	KT_EQ(fdt_reg(f, fdt_path(f, "/reserved-memory/fw"), 1, &base, &size), 0);
	KT_EQ(base, 0x80100000);
	KT_EQ(size, 0x1000);
	KT_EQ(fdt_reg(f, fdt_root(f), 0, &base, &size), FDT_E_NOTFOUND);
	KT_EQ(fdt_reg(f, fdt_path(f, "/cpus/cpu@5"), 0, &base, &size), 0);
	KT_EQ(base, 5);
	KT_EQ(size, 0);
}

static void t_reg_fu740_pcie(const struct fdt *f)
{
	uint64_t base = 0, size = 0;
	int pcie;

	pcie = fdt_path(f, "/soc/pcie@e00000000");
	KT_EQ(fdt_reg(f, pcie, 0, &base, &size), 0);
	KT_EQ(base, 0xdf0000000ull);
	KT_EQ(size, 0x10000000);
	KT_EQ(fdt_reg(f, pcie, 2, &base, &size), 0);
	KT_EQ(base, 0xe00000000ull);
	KT_EQ(size, 0x80000000);
	KT_EQ(fdt_address_cells(f, pcie), 3);
	KT_EQ(fdt_size_cells(f, pcie), 2);
}

static void t_memreserve(const struct fdt *f)
{
	uint64_t base = 0, size = 0;

	KT_EQ(fdt_rsv_entry(f, 0, &base, &size), 0);
	KT_EQ(base, 0x90000000);
	KT_EQ(size, 0x1000);
	KT_EQ(fdt_rsv_entry(f, 1, &base, &size), 0);
	KT_EQ(base, 0x90100000);
	KT_EQ(size, 0x2000);
	KT_EQ(fdt_rsv_entry(f, 2, &base, &size), FDT_E_NOTFOUND);
	KT_EQ(fdt_rsv_entry(f, -1, &base, &size), FDT_E_NOTFOUND);
}

static void t_compatible_status(const struct fdt *f)
{
	int plic;

	plic = fdt_path(f, "/soc/interrupt-controller@c000000");
	KT_EQ(fdt_node_compatible(f, plic, "sifive,plic-1.0.0"), 1);
	KT_EQ(fdt_node_compatible(f, plic, "sifive,fu540-c000-plic"), 1);
	KT_EQ(fdt_node_compatible(f, plic, "riscv,plic0"), 0);
	KT_EQ(fdt_node_compatible(f, fdt_path(f, "/chosen"), "x"), 0);
	KT_EQ(fdt_node_enabled(f, fdt_path(f, "/soc/serial@10012000")), 0);
	KT_EQ(fdt_node_enabled(f, fdt_path(f, "/soc/serial@10010000")), 1);
	KT_EQ(fdt_node_enabled(f, plic), 1);
}

/* A small valid tree; the malformed cases start from it. */
static void base_tree(struct fdtw *w)
{
	fdtw_init(w);
	fdtw_begin(w, "");
	fdtw_prop_str(w, "compatible", "keel,test");
	fdtw_begin(w, "child@1");
	fdtw_prop_u32(w, "reg", 1);
	fdtw_end_node(w);
	fdtw_end_node(w);
	fdtw_end(w);
}

static int init_tree(const struct fdtw *w)
{
	size_t len;
	uint8_t *b = fdtw_finish(w, &len);
	struct fdt f;
	int err = fdt_init(&f, b, len);

	free(b);
	return err;
}

/* Starts a hand-made tree: an empty writer with the root node open. */
static void open_root(struct fdtw *w)
{
	fdtw_init(w);
	fdtw_begin(w, "");
}

/* Closes the innermost open node, ends the structure block, runs fdt_init(). */
static int close_and_init(struct fdtw *w)
{
	fdtw_end_node(w);
	fdtw_end(w);
	return init_tree(w);
}

/* fdt_init() of the base tree after one header field is set to v. */
static int init_patched(unsigned field, uint32_t v)
{
	struct fdtw w;
	size_t len;
	uint8_t *b;
	struct fdt f;
	int err;

	base_tree(&w);
	b = fdtw_finish(&w, &len);
	blob_put32(b + field, v);
	err = fdt_init(&f, b, len);
	free(b);
	return err;
}

static void t_writer_defaults(const void *arg)
{
	struct fdtw w;
	struct fdt f;
	size_t len;
	uint8_t *b;

	(void)arg;
	base_tree(&w);
	b = fdtw_finish(&w, &len);
	KT_EQ(fdt_init(&f, b, len), 0);
	KT_EQ(fdt_address_cells(&f, fdt_root(&f)), 2);
	KT_EQ(fdt_size_cells(&f, fdt_root(&f)), 1);
	KT_EQ(fdt_path(&f, "/child"), fdt_first_subnode(&f, fdt_root(&f)));
	free(b);
	open_root(&w);
	fdtw_prop_u32(&w, "#address-cells", 5);
	fdtw_end_node(&w);
	fdtw_end(&w);
	b = fdtw_finish(&w, &len);
	KT_EQ(fdt_init(&f, b, len), 0);
	KT_EQ(fdt_address_cells(&f, fdt_root(&f)), FDT_E_BADVALUE);
	free(b);
}

static void t_bad_magic(const void *arg)
{
	(void)arg;
	KT_EQ(init_patched(HDR_MAGIC, 0xd00dfeee), FDT_E_BADMAGIC);
	KT_EQ(init_patched(HDR_MAGIC, 0xedfe0dd0), FDT_E_BADMAGIC);
}

static void t_truncated(const void *arg)
{
	struct fdtw w;
	struct fdt f;
	size_t len, n;
	uint8_t *b, *cut;

	(void)arg;
	base_tree(&w);
	b = fdtw_finish(&w, &len);
	for (n = 0; n < len; n++) {
		cut = blob_dup(b, n);
		KT_EQ(fdt_init(&f, cut, n), FDT_E_TRUNCATED);
		free(cut);
	}
	KT_EQ(fdt_init(&f, NULL, 100), FDT_E_TRUNCATED);
	KT_EQ(init_patched(HDR_TOTALSIZE, (uint32_t)len + 1), FDT_E_TRUNCATED);
	KT_EQ(init_patched(HDR_TOTALSIZE, 0xffffffff), FDT_E_TRUNCATED);
	KT_EQ(init_patched(HDR_TOTALSIZE, 20), FDT_E_BADLAYOUT);
	free(b);
}

static void t_bad_version(const void *arg)
{
	(void)arg;
	KT_EQ(init_patched(HDR_VERSION, 15), FDT_E_BADVERSION);
	KT_EQ(init_patched(HDR_VERSION, 1), FDT_E_BADVERSION);
	KT_EQ(init_patched(HDR_LAST_COMP, 18), FDT_E_BADVERSION);
	KT_EQ(init_patched(HDR_VERSION, 18), 0);   /* newer, backward compatible */
}

/* Version 16 has no size_dt_struct; the walk must still be bounded. */
static void t_version16(const void *arg)
{
	struct fdtw w;
	struct fdt f;
	size_t len;
	uint8_t *b;

	(void)arg;
	base_tree(&w);
	b = fdtw_finish(&w, &len);
	blob_put32(b + HDR_VERSION, 16);
	blob_put32(b + HDR_SIZE_STRUCT, 0xdeadbeef);
	KT_EQ(fdt_init(&f, b, len), 0);
	KT_EQ(f.struct_size, len - f.struct_off);
	KT_CHECK(fdt_path(&f, "/child@1") >= 0);
	free(b);
}

static void t_bad_layout(const void *arg)
{
	struct fdtw w;
	size_t len;
	uint8_t *b;
	uint32_t st, str;

	(void)arg;
	base_tree(&w);
	b = fdtw_finish(&w, &len);
	st = blob_get32(b + HDR_OFF_STRUCT);
	str = blob_get32(b + HDR_OFF_STRINGS);
	free(b);
	KT_EQ(init_patched(HDR_OFF_STRUCT, (uint32_t)len + 4), FDT_E_BADLAYOUT);
	KT_EQ(init_patched(HDR_OFF_STRUCT, 0xfffffff0), FDT_E_BADLAYOUT);
	KT_EQ(init_patched(HDR_OFF_STRUCT, st + 2), FDT_E_BADLAYOUT);
	KT_EQ(init_patched(HDR_OFF_STRUCT, 16), FDT_E_BADLAYOUT);    /* inside the header */
	KT_EQ(init_patched(HDR_SIZE_STRUCT, (uint32_t)len), FDT_E_BADLAYOUT);
	KT_EQ(init_patched(HDR_SIZE_STRUCT, 0xfffffffc), FDT_E_BADLAYOUT);
	KT_EQ(init_patched(HDR_OFF_STRINGS, (uint32_t)len + 1), FDT_E_BADLAYOUT);
	KT_EQ(init_patched(HDR_SIZE_STRINGS, (uint32_t)len - str + 1), FDT_E_BADLAYOUT);
	KT_EQ(init_patched(HDR_SIZE_STRINGS, 0xffffffff), FDT_E_BADLAYOUT);
	KT_EQ(init_patched(HDR_OFF_RSV, 44), FDT_E_BADLAYOUT);       /* not 8-aligned */
	KT_EQ(init_patched(HDR_OFF_RSV, 8), FDT_E_BADLAYOUT);
	KT_EQ(init_patched(HDR_OFF_RSV, 0x7ffffff8), FDT_E_BADLAYOUT);
	/* A struct block one token short ends without FDT_END. */
	KT_EQ(init_patched(HDR_SIZE_STRUCT, (uint32_t)(str - st - 4)), FDT_E_BADSTRUCT);
	KT_EQ(init_patched(HDR_SIZE_STRUCT, 0), FDT_E_BADSTRUCT);
}

static void t_bad_rsv(const void *arg)
{
	struct fdtw w;
	struct fdt f;
	size_t len;
	uint8_t *b;
	uint64_t base, size;

	(void)arg;
	base_tree(&w);
	w.nrsv = 1;
	w.rsv[0][0] = 0x1000;
	w.rsv[0][1] = 0x2000;
	b = fdtw_finish(&w, &len);
	KT_EQ(fdt_init(&f, b, len), 0);
	KT_EQ(fdt_rsv_entry(&f, 0, &base, &size), 0);
	KT_EQ(base, 0x1000);
	KT_EQ(size, 0x2000);
	/* The reservation block starts so late that no entry fits. */
	blob_put32(b + HDR_OFF_RSV, (uint32_t)((len - 8) & ~(size_t)7));
	KT_EQ(fdt_init(&f, b, len), FDT_E_BADRSV);
	free(b);
}

static void t_bad_string_offset(const void *arg)
{
	struct fdtw w;

	(void)arg;
	open_root(&w);
	fdtw_prop_str(&w, "ok", "x");
	fdtw_token(&w, 3);                /* PROP, len 0, name offset past the block */
	fdtw_token(&w, 0);
	fdtw_token(&w, 1000);
	KT_EQ(close_and_init(&w), FDT_E_BADSTRINGS);
}

static void t_unterminated_prop_name(const void *arg)
{
	struct fdtw w;
	struct fdt f;
	size_t len;
	uint8_t *b;

	(void)arg;
	base_tree(&w);
	b = fdtw_finish(&w, &len);
	/* Drop the last NUL of the strings block ("reg\0" -> "reg"). */
	blob_put32(b + HDR_SIZE_STRINGS, (uint32_t)w.strlen - 1);
	KT_EQ(fdt_init(&f, b, len), FDT_E_BADSTRINGS);
	free(b);
}

static void t_unterminated_node_name(const void *arg)
{
	struct fdtw w;

	(void)arg;
	open_root(&w);
	fdtw_token(&w, 1);
	fdtw_raw(&w, "abcdefgh", 8);      /* name runs to the end of the block */
	KT_EQ(init_tree(&w), FDT_E_BADSTRUCT);
}

static void t_prop_past_block(const void *arg)
{
	struct fdtw w;
	uint32_t lens[] = { 5, 0x7fffffff, 0xfffffffc, 0xffffffff };
	size_t i;

	(void)arg;
	for (i = 0; i < KT_COUNT(lens); i++) {
		fdtw_init(&w);
		fdtw_begin(&w, "");
		fdtw_token(&w, 3);
		fdtw_token(&w, lens[i]);
		fdtw_token(&w, fdtw_string(&w, "p"));
		fdtw_end(&w);                 /* only 4 value bytes follow */
		KT_EQ(init_tree(&w), FDT_E_BADSTRUCT);
	}
	/* A header that stops mid-token: PROP with no room for len/nameoff. */
	open_root(&w);
	fdtw_token(&w, 3);
	KT_EQ(init_tree(&w), FDT_E_BADSTRUCT);
}

static int nested(int levels)
{
	struct fdtw w;
	int i;

	fdtw_init(&w);
	for (i = 0; i < levels; i++)
		fdtw_begin(&w, i ? "n" : "");
	for (i = 0; i < levels; i++)
		fdtw_end_node(&w);
	fdtw_end(&w);
	return init_tree(&w);
}

static void t_deep_nesting(const void *arg)
{
	(void)arg;
	KT_EQ(nested(FDT_MAX_DEPTH), 0);
	KT_EQ(nested(FDT_MAX_DEPTH + 1), FDT_E_DEPTH);
	KT_EQ(nested(1000), FDT_E_DEPTH);
}

static void t_deepest_lookup(const void *arg)
{
	char path[2 * FDT_MAX_DEPTH + 2] = "";
	struct fdtw w;
	struct fdt f;
	size_t len;
	uint8_t *b;
	int i, node;

	(void)arg;
	open_root(&w);
	for (i = 1; i < FDT_MAX_DEPTH; i++) {
		fdtw_begin(&w, "n");
		strcat(path, "/n");
	}
	fdtw_prop_u32(&w, "reg", 7);
	for (i = 0; i < FDT_MAX_DEPTH; i++)
		fdtw_end_node(&w);
	fdtw_end(&w);
	b = fdtw_finish(&w, &len);
	KT_REQUIRE(fdt_init(&f, b, len) == 0);
	node = fdt_path(&f, path);
	KT_CHECK(node >= 0);
	KT_CHECK(fdt_parent(&f, node) >= 0);
	KT_EQ(fdt_prop(&f, node, "reg", NULL), 4);
	free(b);
}

static void t_unbalanced(const void *arg)
{
	struct fdtw w;

	(void)arg;
	open_root(&w);                    /* missing END_NODE */
	fdtw_begin(&w, "a");
	KT_EQ(close_and_init(&w), FDT_E_BADSTRUCT);
	open_root(&w);                    /* extra END_NODE */
	fdtw_end_node(&w);
	KT_EQ(close_and_init(&w), FDT_E_BADSTRUCT);
	open_root(&w);                    /* two roots */
	fdtw_end_node(&w);
	fdtw_begin(&w, "");
	KT_EQ(close_and_init(&w), FDT_E_BADSTRUCT);
	fdtw_init(&w);                    /* no root at all */
	fdtw_end(&w);
	KT_EQ(init_tree(&w), FDT_E_BADSTRUCT);
	open_root(&w);                    /* no FDT_END */
	fdtw_end_node(&w);
	KT_EQ(init_tree(&w), FDT_E_BADSTRUCT);
}

static void t_bad_tokens(const void *arg)
{
	struct fdtw w;

	(void)arg;
	open_root(&w);                    /* property after a subnode */
	fdtw_begin(&w, "a");
	fdtw_end_node(&w);
	fdtw_prop_u32(&w, "late", 1);
	KT_EQ(close_and_init(&w), FDT_E_BADSTRUCT);
	fdtw_init(&w);                    /* property outside the root */
	fdtw_prop_u32(&w, "early", 1);
	fdtw_begin(&w, "");
	KT_EQ(close_and_init(&w), FDT_E_BADSTRUCT);
	open_root(&w);                    /* unknown token */
	fdtw_token(&w, 7);
	KT_EQ(close_and_init(&w), FDT_E_BADSTRUCT);
}

static void t_nops(const void *arg)
{
	struct fdtw w;
	struct fdt f;
	size_t len;
	uint8_t *b;
	uint32_t v = 0;
	int child;

	(void)arg;
	fdtw_init(&w);
	fdtw_token(&w, 4);
	fdtw_begin(&w, "");
	fdtw_token(&w, 4);
	fdtw_prop_u32(&w, "a", 1);
	fdtw_token(&w, 4);
	fdtw_prop_u32(&w, "b", 2);
	fdtw_begin(&w, "kid");
	fdtw_token(&w, 4);
	fdtw_end_node(&w);
	fdtw_token(&w, 4);
	fdtw_end_node(&w);
	fdtw_token(&w, 4);
	fdtw_end(&w);
	b = fdtw_finish(&w, &len);
	KT_REQUIRE(fdt_init(&f, b, len) == 0);
	KT_EQ(fdt_prop_u32(&f, fdt_root(&f), "b", &v), 0);
	KT_EQ(v, 2);
	child = fdt_first_subnode(&f, fdt_root(&f));
	KT_STREQ(name_of(&f, child), "kid");
	KT_EQ(fdt_next_subnode(&f, child), FDT_E_NOTFOUND);
	free(b);
}

static void t_bad_offsets(const struct fdt *f)
{
	const char *n;
	int root, bad[5], i;

	root = fdt_root(f);
	bad[0] = -4;
	bad[1] = root + 2;                       /* misaligned */
	bad[2] = root + 4;                       /* the root's (empty) name, not a token */
	bad[3] = (int)(f->struct_off + f->struct_size);
	bad[4] = 0x7ffffffc;
	for (i = 0; i < 5; i++) {
		KT_CHECK(fdt_prop(f, bad[i], "compatible", NULL) < 0);
		KT_CHECK(fdt_node_name(f, bad[i], &n) < 0);
		KT_CHECK(fdt_next_node(f, bad[i], NULL) < 0);
		KT_CHECK(fdt_first_subnode(f, bad[i]) < 0);
		KT_CHECK(fdt_parent(f, bad[i]) < 0);
	}
	KT_EQ(fdt_prop(f, bad[0], "x", NULL), FDT_E_BADOFFSET);
	KT_EQ(fdt_prop(f, bad[1], "x", NULL), FDT_E_BADOFFSET);
	KT_EQ(fdt_parent(f, bad[1]), FDT_E_BADOFFSET);
}

/* A case that reads one DTB: the harness loads and validates it first. */
struct dtb_case {
	const char *dtb;
	void (*fn)(const struct fdt *f);
};

static void run_dtb_case(const void *arg)
{
	const struct dtb_case *c = arg;
	struct fdt f;
	uint8_t *b = open_dtb(c->dtb, &f);

	if (b)
		c->fn(&f);
	free(b);
}

#define DTB_CASE(name, dtb, fn) { name, run_dtb_case, &(const struct dtb_case){ dtb, fn } }

static const struct kt_case cases[] = {
	{ "fdt_init_real_dtbs", t_init_real, NULL },
	DTB_CASE("fdt_root_name", "virt-smp4.dtb", t_root_name),
	DTB_CASE("fdt_path_virt", "virt-smp4.dtb", t_path_virt),
	DTB_CASE("fdt_path_exact_beats_unit_address", "misc.dtb", t_path_exact_wins),
	DTB_CASE("fdt_path_alias", "misc.dtb", t_path_alias),
	DTB_CASE("fdt_subnodes_cpus", "virt-smp4.dtb", t_subnodes),
	{ "fdt_walk_parent_path_consistent", t_walk_consistent, NULL },
	DTB_CASE("fdt_phandle", "virt-smp4.dtb", t_phandle),
	DTB_CASE("fdt_props", "fu740.dtb", t_props),
	{ "fdt_stringlist", t_stringlist, NULL },
	{ "fdt_cells", t_cells, NULL },
	DTB_CASE("fdt_reg_translate_nested_ranges", "misc.dtb", t_reg_translate),
	DTB_CASE("fdt_reg_fu740_pcie", "fu740.dtb", t_reg_fu740_pcie),
	DTB_CASE("fdt_memreserve", "misc.dtb", t_memreserve),
	DTB_CASE("fdt_compatible_status", "fu740.dtb", t_compatible_status),
	{ "fdt_writer_defaults", t_writer_defaults, NULL },
	{ "fdt_bad_magic", t_bad_magic, NULL },
	{ "fdt_truncated_and_totalsize", t_truncated, NULL },
	{ "fdt_bad_version", t_bad_version, NULL },
	{ "fdt_version16", t_version16, NULL },
	{ "fdt_bad_layout", t_bad_layout, NULL },
	{ "fdt_bad_rsv", t_bad_rsv, NULL },
	{ "fdt_bad_string_offset", t_bad_string_offset, NULL },
	{ "fdt_unterminated_prop_name", t_unterminated_prop_name, NULL },
	{ "fdt_unterminated_node_name", t_unterminated_node_name, NULL },
	{ "fdt_prop_len_past_block", t_prop_past_block, NULL },
	{ "fdt_deep_nesting", t_deep_nesting, NULL },
	{ "fdt_deepest_lookup", t_deepest_lookup, NULL },
	{ "fdt_unbalanced", t_unbalanced, NULL },
	{ "fdt_bad_tokens", t_bad_tokens, NULL },
	{ "fdt_nops", t_nops, NULL },
	DTB_CASE("fdt_bad_offsets", "virt-smp4.dtb", t_bad_offsets),
};

int main(int argc, char **argv)
{
	if (argc > 1)
		blob_dir = argv[1];
	return kt_run(cases, KT_COUNT(cases));
}
