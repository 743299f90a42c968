#pragma once
/* ChaCha20 (the block function of the IETF variant: 256-bit key, 32-bit
 * block counter, 96-bit nonce) and a generator built on it for
 * /dev/random: fast key erasure, i.e. after every request the key is
 * replaced by output nobody saw, so a later compromise of the state does
 * not reveal earlier output.  Pure code. */
#include <stddef.h>
#include <stdint.h>

/* The 64-byte block for key, counter and nonce. */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[64]);

struct csprng {
	uint32_t key[8];
	uint32_t nonce[3];
};

/* Keys the generator from seed (any length; fed through the block
 * function, so more seed bytes only add). */
void csprng_seed(struct csprng *g, const void *seed, size_t len);
/* len bytes of output, then a fresh key. */
void csprng_read(struct csprng *g, void *buf, size_t len);
