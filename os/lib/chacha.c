/* ChaCha20 and the generator of chacha.h. */
#include <string.h>
#include "chacha.h"

static uint32_t rotl(uint32_t v, unsigned n)
{
	return (v << n) | (v >> (32 - n));
}

#define QR(a, b, c, d) do { \
	a += b; d = rotl(d ^ a, 16); \
	c += d; b = rotl(b ^ c, 12); \
	a += b; d = rotl(d ^ a, 8); \
	c += d; b = rotl(b ^ c, 7); \
} while (0)

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[64])
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t x[16];

	memcpy(in + 4, key, 32);
	in[12] = counter;
	memcpy(in + 13, nonce, 12);
	memcpy(x, in, sizeof x);
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		put_le32(out + 4 * i, x[i] + in[i]);
}

/* A new key from the block at counter 0 (requests use 1 and up). */
static void rekey(struct csprng *g)
{
	uint8_t b[64];

	chacha20_block(g->key, 0, g->nonce, b);
	for (int i = 0; i < 8; i++)
		g->key[i] = get_le32(b + 4 * i);
	memset(b, 0, sizeof b);
}

void csprng_seed(struct csprng *g, const void *seed, size_t len)
{
	const uint8_t *p = seed;

	while (len) {
		size_t n = len < 32 ? len : 32;
		for (size_t i = 0; i < n; i++)
			g->key[i / 4] ^= (uint32_t)p[i] << (8 * (i % 4));
		rekey(g);
		p += n;
		len -= n;
	}
}

void csprng_read(struct csprng *g, void *buf, size_t len)
{
	uint8_t *p = buf, b[64];
	uint32_t counter = 1;

	while (len) {
		if (counter == 0) {             /* 2^32 blocks: move on to a new key */
			rekey(g);
			counter = 1;
		}
		chacha20_block(g->key, counter++, g->nonce, b);
		size_t n = len < sizeof b ? len : sizeof b;
		memcpy(p, b, n);
		p += n;
		len -= n;
	}
	memset(b, 0, sizeof b);
	rekey(g);
}
