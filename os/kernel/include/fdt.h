#pragma once
/* A bounds-checked reader for flattened device trees (DTB, versions 16-17).
 *
 * fdt_init() checks the header and walks the whole structure block once, so
 * a blob that passes it has balanced nodes, no nesting deeper than
 * FDT_MAX_DEPTH, names terminated inside their blocks and properties that fit.
 * Every accessor still checks its own reads: a node offset from the caller is
 * never trusted.  Nodes are named by their byte offset in the blob; errors are
 * negative FDT_E_* values.  Nothing is allocated and nothing recurses. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC        0xd00dfeedu
#define FDT_MAX_DEPTH    64     /* nodes nested deeper than this are rejected */
#define FDT_MAX_CELLS    4      /* largest #address-cells / #size-cells accepted */

enum fdt_err {
	FDT_E_TRUNCATED   = -1,   /* buffer shorter than the header or totalsize */
	FDT_E_BADMAGIC    = -2,
	FDT_E_BADVERSION  = -3,
	FDT_E_BADLAYOUT   = -4,   /* a block lies outside totalsize or is misaligned */
	FDT_E_BADSTRUCT   = -5,   /* malformed token, name or property in the structure */
	FDT_E_BADSTRINGS  = -6,   /* property name offset outside or unterminated */
	FDT_E_DEPTH       = -7,   /* nesting deeper than FDT_MAX_DEPTH */
	FDT_E_BADOFFSET   = -8,   /* the offset given is not a node */
	FDT_E_NOTFOUND    = -9,
	FDT_E_BADVALUE    = -10,  /* a property has the wrong length or shape */
	FDT_E_BADPATH     = -11,
	FDT_E_NOTRANSLATE = -12,  /* an address is outside every `ranges` window */
	FDT_E_BADRSV      = -13,  /* memory reservation block runs off the blob */
};

/* A validated blob.  Filled by fdt_init(); read-only afterwards. */
struct fdt {
	const uint8_t *blob;
	uint32_t size;            /* header totalsize */
	uint32_t struct_off, struct_size;
	uint32_t strings_off, strings_size;
	uint32_t rsv_off;
	uint32_t boot_cpuid;
};

/* Check the header and the whole structure block of the blob at `blob`, of
 * which at most `maxlen` bytes may be read.  Returns 0 and fills *f, or a
 * negative FDT_E_* (then *f must not be used).  The blob must stay mapped and
 * unchanged while *f is in use. */
int fdt_init(struct fdt *f, const void *blob, size_t maxlen);

/* Offset of the root node, or a negative error. */
int fdt_root(const struct fdt *f);

/* Offset of the node after `node` in document order.  *depth (may be NULL) is
 * raised by one for the node returned and lowered by one for every node
 * closed on the way.  Returns FDT_E_NOTFOUND after the last node. */
int fdt_next_node(const struct fdt *f, int node, int *depth);

/* First child of `node`, or FDT_E_NOTFOUND if it has none. */
int fdt_first_subnode(const struct fdt *f, int node);

/* Next sibling of `node`, or FDT_E_NOTFOUND after the last one. */
int fdt_next_subnode(const struct fdt *f, int node);

/* Child of `parent` named name[0..len): an exact name, or the part before '@'
 * ("serial" finds "serial@10000000"; an exact match wins).  Offset or error. */
int fdt_subnode(const struct fdt *f, int parent, const char *name, size_t len);

/* Sets *name to the node's NUL-terminated name ("" for the root) and returns
 * its length, or a negative error. */
int fdt_node_name(const struct fdt *f, int node, const char **name);

/* Parent of `node` (a linear walk), FDT_E_NOTFOUND for the root. */
int fdt_parent(const struct fdt *f, int node);

/* Node at path[0..len): "/soc/serial@10000000", or an alias name from
 * /aliases optionally followed by "/rest".  Offset or negative error. */
int fdt_path_n(const struct fdt *f, const char *path, size_t len);

/* fdt_path_n() for a NUL-terminated path. */
int fdt_path(const struct fdt *f, const char *path);

/* Node whose `phandle` (or `linux,phandle`) is ph, or FDT_E_NOTFOUND. */
int fdt_node_by_phandle(const struct fdt *f, uint32_t ph);

/* Property `name` of `node`: sets *val (may be NULL) to its value, which lies
 * inside the blob, and returns its length, or a negative error. */
int fdt_prop(const struct fdt *f, int node, const char *name, const void **val);

/* A property holding one NUL-terminated string: sets *s and returns the
 * string length; FDT_E_BADVALUE if the value has no terminating NUL. */
int fdt_prop_string(const struct fdt *f, int node, const char *name, const char **s);

/* A property of exactly one cell (4 bytes): 0 and *v, or a negative error. */
int fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *v);

/* A property of one or two cells (4 or 8 bytes): 0 and *v, or negative. */
int fdt_prop_uint(const struct fdt *f, int node, const char *name, uint64_t *v);

/* Big-endian loads from any alignment.  p must have 4 (8) readable bytes. */
uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);

/* Reads `ncells` cells starting at cell index `idx` of a value of `len` bytes
 * as one number.  Returns 0, or FDT_E_BADVALUE if the cells run past the value
 * or a number wider than 64 bits has nonzero high cells. */
int fdt_read_cells(const void *val, int len, int idx, int ncells, uint64_t *out);

/* String `idx` of a string list (e.g. `compatible`): sets *s, returns its
 * length; FDT_E_NOTFOUND past the end, FDT_E_BADVALUE if unterminated. */
int fdt_stringlist_get(const void *val, int len, int idx, const char **s);

/* 1 if the string list contains `s`, 0 if not, FDT_E_BADVALUE if unterminated. */
int fdt_stringlist_contains(const void *val, int len, const char *s);

/* 1 if `node`'s `compatible` lists `compat`, 0 if not (or absent), or negative. */
int fdt_node_compatible(const struct fdt *f, int node, const char *compat);

/* 1 if the node's `status` is absent, "okay" or "ok"; 0 otherwise; negative
 * if the property is malformed. */
int fdt_node_enabled(const struct fdt *f, int node);

/* #address-cells (default 2) and #size-cells (default 1) that `node` gives its
 * children; FDT_E_BADVALUE if the value exceeds FDT_MAX_CELLS. */
int fdt_address_cells(const struct fdt *f, int node);
int fdt_size_cells(const struct fdt *f, int node);

/* Entry `idx` of the node's `reg`, decoded with its parent's cell sizes and
 * translated through the `ranges` of every ancestor bus up to the root (an
 * absent or empty `ranges` maps one to one).  0 and *base, *size; NOTFOUND
 * past the last entry; BADVALUE or NOTRANSLATE for a bad value. */
int fdt_reg(const struct fdt *f, int node, int idx, uint64_t *base, uint64_t *size);

/* An address in the space `node`'s own `reg` uses (its parent bus's, e.g.
 * the parent side of node's `ranges`) translated to a root address like
 * fdt_reg(): 0 and *addr, or NOTRANSLATE / BADVALUE. */
int fdt_to_root(const struct fdt *f, int node, uint64_t *addr);

/* Entry `idx` of the memory reservation block: 0 and *base, *size;
 * FDT_E_NOTFOUND at or past the terminating entry; FDT_E_BADRSV if the block
 * runs off the blob. */
int fdt_rsv_entry(const struct fdt *f, int idx, uint64_t *base, uint64_t *size);
