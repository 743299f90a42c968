/* CRC-32 and CRC-32C (see crc.h).  Each table is built on first use from its
 * reflected polynomial: 256 words, one per byte value, so the loop is one
 * lookup and one shift per byte.  Two threads racing on the first call both
 * build it, writing the same values; the release store of `ready` after the
 * table and the acquire load before it is read keep a thread from using a
 * table it sees half written, so no lock is needed. */
#include <stdatomic.h>
#include <stdbool.h>
#include "crc.h"

#define POLY_IEEE_REFLECTED 0xedb88320u
#define POLY_CASTAGNOLI_REFLECTED 0x82f63b78u

struct crc_table {
	uint32_t poly;
	atomic_bool ready;
	uint32_t t[256];
};

static struct crc_table ieee = { .poly = POLY_IEEE_REFLECTED };
static struct crc_table castagnoli = { .poly = POLY_CASTAGNOLI_REFLECTED };

static void table_build(struct crc_table *tb)
{
	uint32_t i, c;
	int k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? c >> 1 ^ tb->poly : c >> 1;
		tb->t[i] = c;
	}
	atomic_store_explicit(&tb->ready, true, memory_order_release);
}

static uint32_t crc_run(struct crc_table *tb, uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!atomic_load_explicit(&tb->ready, memory_order_acquire))
		table_build(tb);
	crc = ~crc;
	while (len--)
		crc = tb->t[(crc ^ *p++) & 0xff] ^ crc >> 8;
	return ~crc;
}

uint32_t crc32_ieee(uint32_t crc, const void *buf, size_t len)
{
	return crc_run(&ieee, crc, buf, len);
}

uint32_t crc32c(uint32_t crc, const void *buf, size_t len)
{
	return crc_run(&castagnoli, crc, buf, len);
}
