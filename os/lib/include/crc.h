#pragma once
/* Table-driven CRC-32 checksums for on-disk formats.  Both are the reflected
 * forms with initial value and final xor 0xffffffff, so crc(buf) is the
 * usual published value ("123456789" gives 0xcbf43926 for CRC-32 and
 * 0xe3069283 for CRC-32C).  The running value is the finished checksum of
 * the bytes so far: crc(crc(0, a), b) == crc(0, a b), so a caller can feed
 * a structure in pieces (a field replaced by zeros, say). */
#include <stddef.h>
#include <stdint.h>

/* CRC-32 (polynomial 0x04c11db7), as GPT headers and entry arrays use. */
uint32_t crc32_ieee(uint32_t crc, const void *buf, size_t len);

/* CRC-32C (Castagnoli, polynomial 0x1edc6f41), as the fs-keel superblock uses. */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);
