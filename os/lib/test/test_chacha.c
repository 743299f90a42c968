/* Host tests of ChaCha20 and the /dev/random generator (os/lib/chacha.c):
 * the block function against the published test vector of the IETF
 * variant, and the generator's key erasure. */
#include <string.h>
#include "chacha.h"
#include "ktap.h"

static void t_block_matches_the_published_vector(const void *arg)
{
	static const uint8_t want[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20,
		0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a,
		0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2,
		0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9,
		0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	uint32_t key[8], nonce[3] = { 0x09000000, 0x4a000000, 0 };
	uint8_t out[64];

	(void)arg;
	for (int i = 0; i < 8; i++)
		key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 |
			 (uint32_t)(4 * i + 2) << 16 | (uint32_t)(4 * i + 3) << 24;
	chacha20_block(key, 1, nonce, out);
	KT_CHECK(memcmp(out, want, sizeof want) == 0);
}

static void t_generator_never_repeats_and_erases_its_key(const void *arg)
{
	struct csprng g = { { 0 }, { 0 } }, h;
	uint8_t a[100], b[100];

	(void)arg;
	csprng_seed(&g, "seed", 4);
	h = g;
	csprng_read(&g, a, sizeof a);
	KT_CHECK(memcmp(g.key, h.key, sizeof g.key) != 0);      /* rekeyed */
	csprng_read(&g, b, sizeof b);
	KT_CHECK(memcmp(a, b, sizeof a) != 0);
	csprng_read(&h, b, sizeof b);                           /* same seed, same stream */
	KT_CHECK(memcmp(a, b, sizeof a) == 0);
	struct csprng other = { { 0 }, { 0 } };
	csprng_seed(&other, "seee", 4);
	csprng_read(&other, b, sizeof b);
	KT_CHECK(memcmp(a, b, sizeof a) != 0);
}

static void t_output_bits_are_balanced(const void *arg)
{
	struct csprng g = { { 0 }, { 0 } };
	static uint8_t buf[1 << 16];
	size_t ones = 0;

	(void)arg;
	csprng_seed(&g, "balance", 7);
	csprng_read(&g, buf, sizeof buf);
	for (size_t i = 0; i < sizeof buf; i++)
		ones += (size_t)__builtin_popcount(buf[i]);
	/* 2^19 bits: the mean is 262144, sigma 362; 10 sigma either way. */
	KT_CHECK(ones > 262144 - 3620 && ones < 262144 + 3620);
}

static const struct kt_case cases[] = {
	{ "block_matches_the_published_vector", t_block_matches_the_published_vector, NULL },
	{ "generator_never_repeats_and_erases_its_key", t_generator_never_repeats_and_erases_its_key, NULL },
	{ "output_bits_are_balanced", t_output_bits_are_balanced, NULL },
};

int main(void)
{
	return kt_run(cases, KT_COUNT(cases));
}
