#pragma once
/* SHA-512 (FIPS 180-4) and the SHA-512 password hash ("$6$"), pure code
 * shared by libc's crypt() and the host unit test. */
#include <stddef.h>
#include <stdint.h>

struct sha512 {
	uint64_t h[8];
	uint64_t len;                   /* bytes hashed so far */
	unsigned char buf[128];
	size_t used;
};

void __sha512_init(struct sha512 *c);
void __sha512_add(struct sha512 *c, const void *data, size_t n);
void __sha512_done(struct sha512 *c, unsigned char out[64]);

/* The "$6$[rounds=N$]salt$hash" string of key for setting (a full hash or
 * just its prefix), written to out (at least 128 bytes): out, or NULL for
 * a setting that is not a "$6$" one. */
char *__sha512_crypt(const char *key, const char *setting, char *out, size_t outlen);
