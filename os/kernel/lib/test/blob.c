/* Test blob helpers: see blob.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blob.h"

const char *blob_dir = ".";

uint8_t *blob_dup(const void *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	if (len)
		memcpy(p, src, len);
	return p;
}

uint8_t *blob_load(const char *name, size_t *len)
{
	char path[512];
	uint8_t *buf;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", blob_dir, name);
	fp = fopen(path, "rb");
	if (!fp || fseek(fp, 0, SEEK_END) || (n = ftell(fp)) <= 0 || fseek(fp, 0, SEEK_SET)) {
		printf("# cannot read %s\n", path);
		if (fp)
			fclose(fp);
		return NULL;
	}
	buf = malloc((size_t)n);
	if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		printf("# short read on %s\n", path);
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

uint32_t blob_get32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

void blob_put32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static void put64(uint8_t *p, uint64_t v)
{
	blob_put32(p, v >> 32);
	blob_put32(p + 4, (uint32_t)v);
}

void fdtw_init(struct fdtw *w)
{
	memset(w, 0, sizeof(*w));
}

void fdtw_raw(struct fdtw *w, const void *p, size_t n)
{
	if (w->stlen + n > sizeof(w->st))
		abort();
	memcpy(w->st + w->stlen, p, n);
	w->stlen += n;
}

static void pad4(struct fdtw *w)
{
	static const uint8_t zero[4];

	fdtw_raw(w, zero, (4 - w->stlen % 4) % 4);
}

void fdtw_token(struct fdtw *w, uint32_t tok)
{
	uint8_t b[4];

	blob_put32(b, tok);
	fdtw_raw(w, b, 4);
}

void fdtw_begin(struct fdtw *w, const char *name)
{
	fdtw_token(w, 1);
	fdtw_raw(w, name, strlen(name) + 1);
	pad4(w);
}

void fdtw_end_node(struct fdtw *w)
{
	fdtw_token(w, 2);
}

void fdtw_end(struct fdtw *w)
{
	fdtw_token(w, 9);
}

uint32_t fdtw_string(struct fdtw *w, const char *name)
{
	size_t off = 0, n = strlen(name) + 1;

	while (off < w->strlen) {
		if (strcmp(w->str + off, name) == 0)
			return (uint32_t)off;
		off += strlen(w->str + off) + 1;
	}
	if (w->strlen + n > sizeof(w->str))
		abort();
	memcpy(w->str + w->strlen, name, n);
	w->strlen += n;
	return (uint32_t)off;
}

void fdtw_prop(struct fdtw *w, const char *name, const void *val, uint32_t len)
{
	fdtw_token(w, 3);
	fdtw_token(w, len);
	fdtw_token(w, fdtw_string(w, name));
	fdtw_raw(w, val, len);
	pad4(w);
}

void fdtw_prop_u32(struct fdtw *w, const char *name, uint32_t v)
{
	uint8_t b[4];

	blob_put32(b, v);
	fdtw_prop(w, name, b, 4);
}

void fdtw_prop_str(struct fdtw *w, const char *name, const char *s)
{
	fdtw_prop(w, name, s, (uint32_t)strlen(s) + 1);
}

uint8_t *fdtw_finish(const struct fdtw *w, size_t *len)
{
	size_t rsv_off = 40, rsv_len = (size_t)(w->nrsv + 1) * 16;
	size_t st_off = rsv_off + rsv_len, str_off = st_off + w->stlen;
	uint8_t *b;
	int i;

	*len = str_off + w->strlen;
	b = calloc(1, *len);
	if (!b)
		abort();
	blob_put32(b + HDR_MAGIC, 0xd00dfeed);
	blob_put32(b + HDR_TOTALSIZE, (uint32_t)*len);
	blob_put32(b + HDR_OFF_STRUCT, (uint32_t)st_off);
	blob_put32(b + HDR_OFF_STRINGS, (uint32_t)str_off);
	blob_put32(b + HDR_OFF_RSV, (uint32_t)rsv_off);
	blob_put32(b + HDR_VERSION, 17);
	blob_put32(b + HDR_LAST_COMP, 16);
	blob_put32(b + HDR_SIZE_STRINGS, (uint32_t)w->strlen);
	blob_put32(b + HDR_SIZE_STRUCT, (uint32_t)w->stlen);
	for (i = 0; i < w->nrsv; i++) {
		put64(b + rsv_off + 16 * i, w->rsv[i][0]);
		put64(b + rsv_off + 16 * i + 8, w->rsv[i][1]);
	}
	memcpy(b + st_off, w->st, w->stlen);
	memcpy(b + str_off, w->str, w->strlen);
	return b;
}
