#pragma once
/* Test blobs: loading the DTBs built at test time, exact-size copies (so
 * ASan flags any read past the end), and a small writer for hand-made good
 * and bad trees. */
#include <stddef.h>
#include <stdint.h>

/* Header field offsets, for tampering. */
enum {
	HDR_MAGIC = 0, HDR_TOTALSIZE = 4, HDR_OFF_STRUCT = 8, HDR_OFF_STRINGS = 12,
	HDR_OFF_RSV = 16, HDR_VERSION = 20, HDR_LAST_COMP = 24, HDR_BOOT_CPU = 28,
	HDR_SIZE_STRINGS = 32, HDR_SIZE_STRUCT = 36,
};

/* Directory of the test DTBs: argv[1] of every test program. */
extern const char *blob_dir;

/* blob_dir/name in a malloc'd buffer of exactly the file's size; NULL (and a
 * diagnostic) if it cannot be read.  *len gets the size. */
uint8_t *blob_load(const char *name, size_t *len);

/* malloc'd copy of src[0..len), exactly len bytes (at least 1 allocated). */
uint8_t *blob_dup(const void *src, size_t len);

uint32_t blob_get32(const void *p);
void blob_put32(void *p, uint32_t v);

/* A device tree writer: tokens go into the structure block in call order. */
struct fdtw {
	uint8_t st[16384];
	size_t stlen;
	char str[2048];
	size_t strlen;
	uint64_t rsv[16][2];
	int nrsv;
};

void fdtw_init(struct fdtw *w);
void fdtw_token(struct fdtw *w, uint32_t tok);
void fdtw_raw(struct fdtw *w, const void *p, size_t n);
void fdtw_begin(struct fdtw *w, const char *name);
void fdtw_end_node(struct fdtw *w);
void fdtw_end(struct fdtw *w);
void fdtw_prop(struct fdtw *w, const char *name, const void *val, uint32_t len);
void fdtw_prop_u32(struct fdtw *w, const char *name, uint32_t v);
void fdtw_prop_str(struct fdtw *w, const char *name, const char *s);
/* Offset in the strings block of name (added if new). */
uint32_t fdtw_string(struct fdtw *w, const char *name);

/* Header (version 17), reservation block, structure block, strings block, in
 * a malloc'd buffer of exactly the blob's size, which goes to *len. */
uint8_t *fdtw_finish(const struct fdtw *w, size_t *len);
