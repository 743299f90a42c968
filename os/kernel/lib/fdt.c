/* Flattened device tree reader: header checks, a one-pass structure check,
 * then node and property lookups that each bound every byte they read.
 * The blob may sit at any alignment, so every load goes byte by byte. */
#include "fdt.h"
#include "kstring.h"

#define TOK_BEGIN_NODE  1u
#define TOK_END_NODE    2u
#define TOK_PROP        3u
#define TOK_NOP         4u
#define TOK_END         9u

#define HDR_V16_SIZE    36u     /* up to size_dt_strings */
#define HDR_V17_SIZE    40u     /* adds size_dt_struct */
#define RSV_ENTRY_SIZE  16u

/* One decoded structure-block token. */
struct tok {
	uint32_t tag;
	int next;                 /* offset of the token that follows */
	const char *name;         /* BEGIN_NODE: node name; PROP: property name */
	size_t namelen;
	const uint8_t *val;       /* PROP: value */
	uint32_t len;             /* PROP: value length */
};

/* Big-endian 32-bit load; p needs 4 readable bytes, any alignment. */
uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Big-endian 64-bit load; p needs 8 readable bytes, any alignment. */
uint64_t fdt_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)fdt_be32(b) << 32 | fdt_be32(b + 4);
}

static uint32_t hdr_field(const uint8_t *blob, unsigned idx)
{
	return fdt_be32(blob + 4 * idx);
}

static uint64_t align4(uint64_t x)
{
	return (x + 3) & ~(uint64_t)3;
}

static uint32_t struct_end(const struct fdt *f)
{
	return f->struct_off + f->struct_size;
}

/* A block [off, off+size) must lie after the header and inside totalsize. */
static bool block_ok(uint32_t off, uint64_t size, uint32_t hdr, uint32_t total)
{
	return off >= hdr && off <= total && size <= total - off;
}

static int read_begin(const struct fdt *f, uint32_t p, struct tok *t)
{
	uint32_t end = struct_end(f);
	size_t n = strnlen((const char *)f->blob + p, end - p);
	uint64_t next;

	if (n == end - p)
		return FDT_E_BADSTRUCT;
	next = align4((uint64_t)p + n + 1);
	if (next > end)
		return FDT_E_BADSTRUCT;
	t->name = (const char *)f->blob + p;
	t->namelen = n;
	t->next = (int)next;
	return 0;
}

static int prop_name(const struct fdt *f, uint32_t nameoff, struct tok *t)
{
	const char *s = (const char *)f->blob + f->strings_off;
	size_t room;

	if (nameoff >= f->strings_size)
		return FDT_E_BADSTRINGS;
	room = f->strings_size - nameoff;
	t->namelen = strnlen(s + nameoff, room);
	if (t->namelen == room)
		return FDT_E_BADSTRINGS;
	t->name = s + nameoff;
	return 0;
}

static int read_prop(const struct fdt *f, uint32_t p, struct tok *t)
{
	uint32_t end = struct_end(f);
	uint64_t next;

	if (end - p < 8)
		return FDT_E_BADSTRUCT;
	t->len = fdt_be32(f->blob + p);
	p += 8;
	next = align4((uint64_t)p + t->len);
	if (next > end)
		return FDT_E_BADSTRUCT;
	t->val = f->blob + p;
	t->next = (int)next;
	return prop_name(f, fdt_be32(f->blob + p - 4), t);
}

/* Decodes the token at `off`.  BADOFFSET if off is not a token position,
 * BADSTRUCT if the token runs past the structure block. */
static int tok_read(const struct fdt *f, int off, struct tok *t)
{
	uint32_t end = struct_end(f);
	uint32_t o = (uint32_t)off;

	if (off < 0 || o < f->struct_off || o > end || (o & 3))
		return FDT_E_BADOFFSET;
	if (end - o < 4)
		return FDT_E_BADSTRUCT;
	t->tag = fdt_be32(f->blob + o);
	t->next = off + 4;
	switch (t->tag) {
	case TOK_BEGIN_NODE:
		return read_begin(f, o + 4, t);
	case TOK_PROP:
		return read_prop(f, o + 4, t);
	case TOK_END_NODE:
	case TOK_NOP:
	case TOK_END:
		return 0;
	default:
		return FDT_E_BADSTRUCT;
	}
}

/* Offset of the first token after the node's name, or an error. */
static int node_body(const struct fdt *f, int node, struct tok *t)
{
	int err = tok_read(f, node, t);

	if (err)
		return err;
	if (t->tag != TOK_BEGIN_NODE)
		return FDT_E_BADOFFSET;
	return t->next;
}

static int check_header(struct fdt *f, const uint8_t *b, size_t maxlen)
{
	uint32_t total, version, hdr;

	if (maxlen < 8)
		return FDT_E_TRUNCATED;
	if (hdr_field(b, 0) != FDT_MAGIC)
		return FDT_E_BADMAGIC;
	total = hdr_field(b, 1);
	if (total > maxlen)
		return FDT_E_TRUNCATED;
	if (total < HDR_V16_SIZE)
		return FDT_E_BADLAYOUT;
	version = hdr_field(b, 5);
	if (version < 16 || hdr_field(b, 6) > 17)
		return FDT_E_BADVERSION;
	hdr = version >= 17 ? HDR_V17_SIZE : HDR_V16_SIZE;
	if (total < hdr || total > INT32_MAX)
		return FDT_E_BADLAYOUT;
	f->blob = b;
	f->size = total;
	f->struct_off = hdr_field(b, 2);
	f->strings_off = hdr_field(b, 3);
	f->rsv_off = hdr_field(b, 4);
	f->boot_cpuid = hdr_field(b, 7);
	f->strings_size = hdr_field(b, 8);
	return (int)hdr;
}

static int check_blocks(struct fdt *f, uint32_t hdr)
{
	if (f->struct_off & 3 || f->rsv_off & 7)
		return FDT_E_BADLAYOUT;
	if (!block_ok(f->struct_off, 0, hdr, f->size))
		return FDT_E_BADLAYOUT;
	/* Version 16 has no struct size: the block may reach totalsize. */
	if (hdr == HDR_V17_SIZE)
		f->struct_size = hdr_field(f->blob, 9);
	else
		f->struct_size = f->size - f->struct_off;
	if (!block_ok(f->struct_off, f->struct_size, hdr, f->size))
		return FDT_E_BADLAYOUT;
	if (!block_ok(f->strings_off, f->strings_size, hdr, f->size))
		return FDT_E_BADLAYOUT;
	if (!block_ok(f->rsv_off, 0, hdr, f->size))
		return FDT_E_BADLAYOUT;
	return 0;
}

/* The reservation block must end with its (0, 0) entry inside the blob. */
static int check_rsv(const struct fdt *f)
{
	uint64_t off;

	for (off = f->rsv_off; off + RSV_ENTRY_SIZE <= f->size; off += RSV_ENTRY_SIZE) {
		if (fdt_be64(f->blob + off) == 0 && fdt_be64(f->blob + off + 8) == 0)
			return 0;
	}
	return FDT_E_BADRSV;
}

/* One root node, balanced BEGIN/END, properties only directly after their
 * node's name or another property, depth capped, FDT_END at the close. */
static int check_struct(const struct fdt *f)
{
	uint32_t prev = 0;
	int off = (int)f->struct_off, depth = 0, err;
	bool seen_root = false;
	struct tok t;

	for (;;) {
		err = tok_read(f, off, &t);
		if (err)
			return err == FDT_E_BADOFFSET ? FDT_E_BADSTRUCT : err;
		if (t.tag == TOK_BEGIN_NODE) {
			if (depth == 0 && seen_root)
				return FDT_E_BADSTRUCT;
			if (++depth > FDT_MAX_DEPTH)
				return FDT_E_DEPTH;
			seen_root = true;
		} else if (t.tag == TOK_END_NODE) {
			if (depth-- == 0)
				return FDT_E_BADSTRUCT;
		} else if (t.tag == TOK_PROP) {
			if (prev != TOK_BEGIN_NODE && prev != TOK_PROP)
				return FDT_E_BADSTRUCT;
		} else if (t.tag == TOK_END) {
			return seen_root && depth == 0 ? 0 : FDT_E_BADSTRUCT;
		}
		if (t.tag != TOK_NOP)
			prev = t.tag;
		off = t.next;
	}
}

/* 0 once header and structure check out (then *f is set), else FDT_E_*. */
int fdt_init(struct fdt *f, const void *blob, size_t maxlen)
{
	struct fdt tmp;
	int hdr, err;

	if (!blob)
		return FDT_E_TRUNCATED;
	memset(&tmp, 0, sizeof(tmp));
	hdr = check_header(&tmp, blob, maxlen);
	if (hdr < 0)
		return hdr;
	err = check_blocks(&tmp, (uint32_t)hdr);
	if (!err)
		err = check_rsv(&tmp);
	if (!err)
		err = check_struct(&tmp);
	if (!err)
		*f = tmp;
	return err;
}

/* Offset of the root node; f from fdt_init(). */
int fdt_root(const struct fdt *f)
{
	int off = (int)f->struct_off, err;
	struct tok t;

	for (;;) {
		err = tok_read(f, off, &t);
		if (err)
			return err;
		if (t.tag == TOK_BEGIN_NODE)
			return off;
		if (t.tag != TOK_NOP)
			return FDT_E_BADSTRUCT;
		off = t.next;
	}
}

/* Next node in document order, *depth adjusted; NOTFOUND at the end. */
int fdt_next_node(const struct fdt *f, int node, int *depth)
{
	int local = 0, off, err;
	struct tok t;

	if (!depth)
		depth = &local;
	off = node_body(f, node, &t);
	while (off >= 0) {
		err = tok_read(f, off, &t);
		if (err)
			return err;
		if (t.tag == TOK_BEGIN_NODE)
			return ++*depth > FDT_MAX_DEPTH ? FDT_E_DEPTH : off;
		if (t.tag == TOK_END_NODE)
			--*depth;
		else if (t.tag == TOK_END)
			return FDT_E_NOTFOUND;
		off = t.next;
	}
	return off;
}

/* First child of node, or NOTFOUND. */
int fdt_first_subnode(const struct fdt *f, int node)
{
	int depth = 0;
	int off = fdt_next_node(f, node, &depth);

	if (off >= 0 && depth != 1)
		return FDT_E_NOTFOUND;
	return off;
}

/* Next sibling of node, or NOTFOUND. */
int fdt_next_subnode(const struct fdt *f, int node)
{
	int depth = 0, off = node;

	do {
		off = fdt_next_node(f, off, &depth);
		if (off < 0)
			return off;
	} while (depth > 0);
	return depth == 0 ? off : FDT_E_NOTFOUND;
}

/* Length of the node's name (set in *name), or an error. */
int fdt_node_name(const struct fdt *f, int node, const char **name)
{
	struct tok t;
	int err = node_body(f, node, &t);

	if (err < 0)
		return err;
	*name = t.name;
	return (int)t.namelen;
}

/* Child matching name[0..len) exactly, else up to '@'; or an error. */
int fdt_subnode(const struct fdt *f, int parent, const char *name, size_t len)
{
	int child, prefix = FDT_E_NOTFOUND;
	const char *cn;
	int n;

	for (child = fdt_first_subnode(f, parent); child >= 0;
	     child = fdt_next_subnode(f, child)) {
		n = fdt_node_name(f, child, &cn);
		if (n < 0)
			return n;
		if ((size_t)n < len || memcmp(cn, name, len) != 0)
			continue;
		if ((size_t)n == len)
			return child;
		if (cn[len] == '@' && prefix == FDT_E_NOTFOUND)
			prefix = child;
	}
	return child == FDT_E_NOTFOUND ? prefix : child;
}

/* Fills stack[0..n) with the offsets from the root down to `node` and
 * returns n (1 for the root), or a negative error. */
static int path_to(const struct fdt *f, int node, int stack[FDT_MAX_DEPTH])
{
	int depth = 1, off = fdt_root(f);

	if (off < 0)
		return off;
	stack[0] = off;
	while (off != node) {
		off = fdt_next_node(f, off, &depth);
		if (off == FDT_E_NOTFOUND)
			return FDT_E_BADOFFSET;
		if (off < 0)
			return off;
		if (depth < 1)
			return FDT_E_BADSTRUCT;
		stack[depth - 1] = off;
	}
	return depth;
}

/* Parent of node by a walk from the root; NOTFOUND for the root. */
int fdt_parent(const struct fdt *f, int node)
{
	int stack[FDT_MAX_DEPTH];
	int n = path_to(f, node, stack);

	if (n < 0)
		return n;
	return n == 1 ? FDT_E_NOTFOUND : stack[n - 2];
}

static int prop_find(const struct fdt *f, int node, const char *name, size_t nlen,
		     const void **val)
{
	struct tok t;
	int off = node_body(f, node, &t), err;

	while (off >= 0) {
		err = tok_read(f, off, &t);
		if (err)
			return err;
		if (t.tag == TOK_PROP && t.namelen == nlen && memcmp(t.name, name, nlen) == 0) {
			if (val)
				*val = t.val;
			return (int)t.len;
		}
		if (t.tag != TOK_PROP && t.tag != TOK_NOP)
			return FDT_E_NOTFOUND;
		off = t.next;
	}
	return off;
}

/* Length of property `name` (value in *val), or an error. */
int fdt_prop(const struct fdt *f, int node, const char *name, const void **val)
{
	return prop_find(f, node, name, strlen(name), val);
}

/* A value that is one NUL-terminated string (trailing bytes allowed). */
static int as_string(const void *val, int len, const char **s)
{
	size_t n;

	if (len <= 0)
		return FDT_E_BADVALUE;
	n = strnlen(val, (size_t)len);
	if (n == (size_t)len)
		return FDT_E_BADVALUE;
	*s = val;
	return (int)n;
}

/* Length of a NUL-terminated string property, or an error. */
int fdt_prop_string(const struct fdt *f, int node, const char *name, const char **s)
{
	const void *val;
	int len = fdt_prop(f, node, name, &val);

	return len < 0 ? len : as_string(val, len, s);
}

/* 0 and a one-cell value in *v, or an error. */
int fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *v)
{
	const void *val;
	int len = fdt_prop(f, node, name, &val);

	if (len < 0)
		return len;
	if (len != 4)
		return FDT_E_BADVALUE;
	*v = fdt_be32(val);
	return 0;
}

/* 0 and a one- or two-cell value in *v, or an error. */
int fdt_prop_uint(const struct fdt *f, int node, const char *name, uint64_t *v)
{
	const void *val;
	int len = fdt_prop(f, node, name, &val);

	if (len < 0)
		return len;
	if (len != 4 && len != 8)
		return FDT_E_BADVALUE;
	return fdt_read_cells(val, len, 0, len / 4, v);
}

/* 0 and cells [idx, idx+ncells) of val as one number, or BADVALUE. */
int fdt_read_cells(const void *val, int len, int idx, int ncells, uint64_t *out)
{
	const uint8_t *p = val;
	uint64_t v = 0;
	int i;

	if (idx < 0 || ncells < 0 || len < 0 || (int64_t)idx + ncells > len / 4)
		return FDT_E_BADVALUE;
	for (i = 0; i < ncells; i++) {
		if (v >> 32)
			return FDT_E_BADVALUE;
		v = v << 32 | fdt_be32(p + 4 * (idx + i));
	}
	*out = v;
	return 0;
}

/* Length of string idx of a list (set in *s), NOTFOUND past the end. */
int fdt_stringlist_get(const void *val, int len, int idx, const char **s)
{
	const char *p = val;
	int pos = 0, i = 0, n;

	if (len < 0 || (len > 0 && p[len - 1] != '\0'))
		return FDT_E_BADVALUE;
	while (pos < len) {
		n = (int)strnlen(p + pos, (size_t)(len - pos));
		if (i++ == idx) {
			*s = p + pos;
			return n;
		}
		pos += n + 1;
	}
	return FDT_E_NOTFOUND;
}

/* 1 if the list holds s, 0 if not, BADVALUE if unterminated. */
int fdt_stringlist_contains(const void *val, int len, const char *s)
{
	size_t want = strlen(s);
	const char *cur;
	int i, n;

	for (i = 0;; i++) {
		n = fdt_stringlist_get(val, len, i, &cur);
		if (n == FDT_E_NOTFOUND)
			return 0;
		if (n < 0)
			return n;
		if ((size_t)n == want && memcmp(cur, s, want) == 0)
			return 1;
	}
}

/* 1 if node's compatible lists compat, 0 if not, or an error. */
int fdt_node_compatible(const struct fdt *f, int node, const char *compat)
{
	const void *val;
	int len = fdt_prop(f, node, "compatible", &val);

	if (len == FDT_E_NOTFOUND)
		return 0;
	return len < 0 ? len : fdt_stringlist_contains(val, len, compat);
}

/* 1 if status is absent, "okay" or "ok"; 0 if not; or an error. */
int fdt_node_enabled(const struct fdt *f, int node)
{
	const char *s;
	int n = fdt_prop_string(f, node, "status", &s);

	if (n == FDT_E_NOTFOUND)
		return 1;
	if (n < 0)
		return n;
	return strcmp(s, "okay") == 0 || strcmp(s, "ok") == 0;
}

static int cells_prop(const struct fdt *f, int node, const char *name, int dflt)
{
	uint32_t v;
	int err = fdt_prop_u32(f, node, name, &v);

	if (err == FDT_E_NOTFOUND)
		return dflt;
	if (err)
		return err;
	return v > FDT_MAX_CELLS ? FDT_E_BADVALUE : (int)v;
}

/* #address-cells for node's children (default 2), or an error. */
int fdt_address_cells(const struct fdt *f, int node)
{
	return cells_prop(f, node, "#address-cells", 2);
}

/* #size-cells for node's children (default 1), or an error. */
int fdt_size_cells(const struct fdt *f, int node)
{
	return cells_prop(f, node, "#size-cells", 1);
}

/* Cell layout of one `ranges` entry of `bus` whose parent is `up`. */
struct range_fmt {
	int child, parent, size;
};

static int range_fmt(const struct fdt *f, int bus, int up, struct range_fmt *rf)
{
	rf->child = fdt_address_cells(f, bus);
	rf->parent = fdt_address_cells(f, up);
	rf->size = fdt_size_cells(f, bus);
	if (rf->child < 0)
		return rf->child;
	if (rf->parent < 0)
		return rf->parent;
	return rf->size < 0 ? rf->size : rf->child + rf->parent + rf->size;
}

/* Moves *addr from `bus`'s address space into its parent `up`'s. */
static int translate_one(const struct fdt *f, int bus, int up, uint64_t *addr)
{
	const void *val;
	int len = fdt_prop(f, bus, "ranges", &val);
	struct range_fmt rf;
	uint64_t cb, pb, sz;
	int ent, i;

	if (len == FDT_E_NOTFOUND || len == 0)
		return 0;
	if (len < 0)
		return len;
	ent = range_fmt(f, bus, up, &rf);
	if (ent <= 0 || len % (4 * ent))
		return ent < 0 ? ent : FDT_E_BADVALUE;
	for (i = 0; i < len / 4; i += ent) {
		if (fdt_read_cells(val, len, i, rf.child, &cb) ||
		    fdt_read_cells(val, len, i + rf.child, rf.parent, &pb) ||
		    fdt_read_cells(val, len, i + rf.child + rf.parent, rf.size, &sz))
			return FDT_E_BADVALUE;
		if (*addr >= cb && *addr - cb < sz) {
			*addr = pb + (*addr - cb);
			return *addr < pb ? FDT_E_BADVALUE : 0;
		}
	}
	return FDT_E_NOTRANSLATE;
}

/* Reads reg entry idx of stack[n-1] with the cell sizes of stack[n-2]. */
static int reg_raw(const struct fdt *f, const int *stack, int n, int idx,
		   uint64_t *base, uint64_t *size)
{
	const void *val;
	int ac, sc, len;

	if (n < 2)
		return FDT_E_NOTFOUND;
	ac = fdt_address_cells(f, stack[n - 2]);
	sc = fdt_size_cells(f, stack[n - 2]);
	if (ac < 0 || sc < 0)
		return ac < 0 ? ac : sc;
	len = fdt_prop(f, stack[n - 1], "reg", &val);
	if (len < 0)
		return len;
	if (ac + sc == 0 || len % (4 * (ac + sc)))
		return FDT_E_BADVALUE;
	if (idx < 0 || idx >= len / (4 * (ac + sc)))
		return FDT_E_NOTFOUND;
	if (fdt_read_cells(val, len, idx * (ac + sc), ac, base) ||
	    fdt_read_cells(val, len, idx * (ac + sc) + ac, sc, size))
		return FDT_E_BADVALUE;
	return 0;
}

/* Moves *addr from the space of stack[top]'s children up to the root. */
static int translate_up(const struct fdt *f, const int *stack, int top, uint64_t *addr)
{
	int err = 0;

	for (int lvl = top; !err && lvl >= 1; lvl--)
		err = translate_one(f, stack[lvl], stack[lvl - 1], addr);
	return err;
}

/* 0 and reg entry idx as a root address, or an error. */
int fdt_reg(const struct fdt *f, int node, int idx, uint64_t *base, uint64_t *size)
{
	int stack[FDT_MAX_DEPTH];
	int n = path_to(f, node, stack);
	int err;

	if (n < 0)
		return n;
	err = reg_raw(f, stack, n, idx, base, size);
	return err ? err : translate_up(f, stack, n - 2, base);
}

/* 0 and *addr (an address as node's `reg` gives it) as a root address. */
int fdt_to_root(const struct fdt *f, int node, uint64_t *addr)
{
	int stack[FDT_MAX_DEPTH];
	int n = path_to(f, node, stack);

	return n < 0 ? n : translate_up(f, stack, n - 2, addr);
}

static int alias_node(const struct fdt *f, const char *name, size_t len)
{
	const void *val;
	const char *target;
	int aliases, n;

	aliases = fdt_root(f);
	if (aliases >= 0)
		aliases = fdt_subnode(f, aliases, "aliases", 7);
	if (aliases < 0)
		return aliases;
	n = prop_find(f, aliases, name, len, &val);
	if (n >= 0)
		n = as_string(val, n, &target);
	if (n < 0)
		return n;
	/* An alias names an absolute path; this keeps the lookup one level deep. */
	if (target[0] != '/')
		return FDT_E_BADPATH;
	return fdt_path_n(f, target, (size_t)n);
}

/* Node at path[0..len) (absolute or alias-based), or an error. */
int fdt_path_n(const struct fdt *f, const char *path, size_t len)
{
	size_t i = 0, j;
	int node;

	if (len == 0)
		return FDT_E_BADPATH;
	if (path[0] == '/') {
		node = fdt_root(f);
	} else {
		while (i < len && path[i] != '/')
			i++;
		node = alias_node(f, path, i);
	}
	while (node >= 0 && i < len) {
		if (path[i] == '/') {
			i++;
			continue;
		}
		for (j = i; j < len && path[j] != '/'; j++)
			;
		node = fdt_subnode(f, node, path + i, j - i);
		i = j;
	}
	return node;
}

/* Node at a NUL-terminated path, or an error. */
int fdt_path(const struct fdt *f, const char *path)
{
	return fdt_path_n(f, path, strlen(path));
}

static bool has_phandle(const struct fdt *f, int node, uint32_t ph)
{
	uint32_t v;

	if (fdt_prop_u32(f, node, "phandle", &v) == 0 && v == ph)
		return true;
	return fdt_prop_u32(f, node, "linux,phandle", &v) == 0 && v == ph;
}

/* Node whose phandle is ph, or NOTFOUND. */
int fdt_node_by_phandle(const struct fdt *f, uint32_t ph)
{
	int off;

	if (ph == 0 || ph == 0xffffffffu)
		return FDT_E_NOTFOUND;
	for (off = fdt_root(f); off >= 0; off = fdt_next_node(f, off, NULL)) {
		if (has_phandle(f, off, ph))
			return off;
	}
	return off;
}

/* 0 and reservation idx, NOTFOUND at the terminator, BADRSV if cut off. */
int fdt_rsv_entry(const struct fdt *f, int idx, uint64_t *base, uint64_t *size)
{
	uint64_t off = f->rsv_off;
	int i;

	if (idx < 0)
		return FDT_E_NOTFOUND;
	for (i = 0;; i++, off += RSV_ENTRY_SIZE) {
		if (off + RSV_ENTRY_SIZE > f->size)
			return FDT_E_BADRSV;
		*base = fdt_be64(f->blob + off);
		*size = fdt_be64(f->blob + off + 8);
		if (*base == 0 && *size == 0)
			return FDT_E_NOTFOUND;
		if (i == idx)
			return 0;
	}
}
