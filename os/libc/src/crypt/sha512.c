/* SHA-512 (FIPS 180-4 section 6.4) and the "$6$" password hash built on it:
 * the published SHA-crypt scheme (a digest of key, salt and key; the key
 * and salt stretched into P and S; `rounds` mixing passes, 5000 unless the
 * setting says "rounds=N$", N within [1000, 999999999]; the 64 bytes
 * written in 86 characters of ./0-9A-Za-z in the scheme's byte order). */
#include <stdbool.h>
#include <string.h>
#include "sha512.h"

static const uint64_t K[80] = {
	0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
	0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
	0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
	0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
	0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
	0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
	0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
	0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
	0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
	0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
	0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
	0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
	0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
	0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
	0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
	0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
	0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
	0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
	0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
	0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
};

static uint64_t ror(uint64_t x, unsigned n)
{
	return x >> n | x << (64 - n);
}

static void block(struct sha512 *c, const unsigned char *p)
{
	uint64_t w[80], v[8];

	for (int i = 0; i < 16; i++) {
		w[i] = 0;
		for (int j = 0; j < 8; j++)
			w[i] = w[i] << 8 | p[8 * i + j];
	}
	for (int i = 16; i < 80; i++) {
		uint64_t s0 = ror(w[i - 15], 1) ^ ror(w[i - 15], 8) ^ (w[i - 15] >> 7);
		uint64_t s1 = ror(w[i - 2], 19) ^ ror(w[i - 2], 61) ^ (w[i - 2] >> 6);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, c->h, sizeof v);
	for (int i = 0; i < 80; i++) {
		uint64_t e = v[4], a = v[0];
		uint64_t t1 = v[7] + (ror(e, 14) ^ ror(e, 18) ^ ror(e, 41)) + ((e & v[5]) ^ (~e & v[6])) +
			      K[i] + w[i];
		uint64_t t2 = (ror(a, 28) ^ ror(a, 34) ^ ror(a, 39)) + ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof v[0]);
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		c->h[i] += v[i];
}

void __sha512_init(struct sha512 *c)
{
	static const uint64_t iv[8] = {
		0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
		0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
	};
	memcpy(c->h, iv, sizeof iv);
	c->len = 0;
	c->used = 0;
}

void __sha512_add(struct sha512 *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	c->len += n;
	while (n) {
		size_t k = sizeof c->buf - c->used;
		if (k > n)
			k = n;
		memcpy(c->buf + c->used, p, k);
		c->used += k;
		p += k;
		n -= k;
		if (c->used == sizeof c->buf) {
			block(c, c->buf);
			c->used = 0;
		}
	}
}

void __sha512_done(struct sha512 *c, unsigned char out[64])
{
	uint64_t bits = c->len * 8;
	unsigned char pad = 0x80, zero = 0, len[16] = { 0 };

	__sha512_add(c, &pad, 1);
	while (c->used != 112)
		__sha512_add(c, &zero, 1);
	for (int i = 0; i < 8; i++)
		len[15 - i] = (unsigned char)(bits >> (8 * i));
	__sha512_add(c, len, sizeof len);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j++)
			out[8 * i + j] = (unsigned char)(c->h[i] >> (56 - 8 * j));
}

/* ---- the "$6$" hash ------------------------------------------------------------ */

#define SALT_MAX        16
#define ROUNDS_DEFAULT  5000
#define ROUNDS_MIN      1000
#define ROUNDS_MAX      999999999ul

static const char b64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static char *put64(char *o, unsigned b2, unsigned b1, unsigned b0, int n)
{
	uint32_t w = (uint32_t)b2 << 16 | (uint32_t)b1 << 8 | b0;

	while (n--) {
		*o++ = b64[w & 0x3f];
		w >>= 6;
	}
	return o;
}

/* Adds len bytes of the 64-byte digest d repeated as often as they go. */
static void add_repeated(struct sha512 *c, const unsigned char *d, size_t len)
{
	for (; len > 64; len -= 64)
		__sha512_add(c, d, 64);
	__sha512_add(c, d, len);
}

char *__sha512_crypt(const char *key, const char *setting, char *out, size_t outlen)
{
	unsigned long rounds = ROUNDS_DEFAULT;
	bool custom = false;
	const char *s = setting;

	if (strncmp(s, "$6$", 3) || outlen < 128)
		return NULL;
	s += 3;
	if (!strncmp(s, "rounds=", 7)) {
		char *end;
		unsigned long r = 0;
		const char *q = s + 7;
		for (end = (char *)q; *end >= '0' && *end <= '9' && r <= ROUNDS_MAX; end++)
			r = r * 10 + (unsigned long)(*end - '0');
		if (end == q || *end != '$')
			return NULL;
		rounds = r < ROUNDS_MIN ? ROUNDS_MIN : r > ROUNDS_MAX ? ROUNDS_MAX : r;
		custom = true;
		s = end + 1;
	}
	size_t sl = strcspn(s, "$");
	if (sl > SALT_MAX)
		sl = SALT_MAX;
	size_t kl = strlen(key);
	unsigned char a[64], b[64], dp[64], ds[64];
	struct sha512 c;

	__sha512_init(&c);                      /* B = H(key salt key) */
	__sha512_add(&c, key, kl);
	__sha512_add(&c, s, sl);
	__sha512_add(&c, key, kl);
	__sha512_done(&c, b);

	__sha512_init(&c);                      /* A = H(key salt B... bits) */
	__sha512_add(&c, key, kl);
	__sha512_add(&c, s, sl);
	add_repeated(&c, b, kl);
	for (size_t n = kl; n; n >>= 1)
		if (n & 1)
			__sha512_add(&c, b, 64);
		else
			__sha512_add(&c, key, kl);
	__sha512_done(&c, a);

	__sha512_init(&c);                      /* DP = H(key x kl) */
	for (size_t i = 0; i < kl; i++)
		__sha512_add(&c, key, kl);
	__sha512_done(&c, dp);

	__sha512_init(&c);                      /* DS = H(salt x (16 + A[0])) */
	for (unsigned i = 0; i < 16u + a[0]; i++)
		__sha512_add(&c, s, sl);
	__sha512_done(&c, ds);

	for (unsigned long i = 0; i < rounds; i++) {
		__sha512_init(&c);
		if (i & 1)
			add_repeated(&c, dp, kl);
		else
			__sha512_add(&c, a, 64);
		if (i % 3)
			__sha512_add(&c, ds, sl);
		if (i % 7)
			add_repeated(&c, dp, kl);
		if (i & 1)
			__sha512_add(&c, a, 64);
		else
			add_repeated(&c, dp, kl);
		__sha512_done(&c, a);
	}

	char *o = out;
	memcpy(o, "$6$", 3);
	o += 3;
	if (custom) {
		char digits[12];
		int n = 0;
		for (unsigned long r = rounds; r; r /= 10)
			digits[n++] = (char)('0' + r % 10);
		memcpy(o, "rounds=", 7);
		o += 7;
		while (n)
			*o++ = digits[--n];
		*o++ = '$';
	}
	memcpy(o, s, sl);
	o += sl;
	*o++ = '$';
	for (int i = 0; i < 21; i++) {                  /* the scheme's byte order */
		int x = i, y = i + 21, z = i + 42;
		switch (i % 3) {
		case 0: o = put64(o, a[x], a[y], a[z], 4); break;
		case 1: o = put64(o, a[y], a[z], a[x], 4); break;
		default: o = put64(o, a[z], a[x], a[y], 4); break;
		}
	}
	o = put64(o, 0, 0, a[63], 2);
	*o = 0;
	return out;
}
