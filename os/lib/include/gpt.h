#pragma once
/* GUID partition tables: reading (for the block layer, which publishes
 * /dev/<disk>p<N>) and writing (for making disk images).
 *
 * Layout on a disk of L logical blocks of S bytes: LBA 0 a protective MBR
 * (one partition of type 0xee), LBA 1 the primary header, its entry array
 * from LBA 2, the backup entry array just below the last LBA and the backup
 * header at LBA L - 1.  Each header carries a CRC-32 of itself (with its
 * CRC field zero) and of its entry array.  A reader takes the primary
 * unless its header or array is bad, then the backup; a disk with neither,
 * or without the protective MBR, is refused.  Every field is checked
 * before use: LBAs inside the disk, usable range inside the areas the two
 * headers leave, entry size a multiple of 128 (at most 4 KiB), the array
 * at most GPT_MAX_ARRAY bytes, partitions inside the usable range and not
 * overlapping.  The code is pure (no OS calls): blocks move through the
 * caller's functions. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GPT_MAX_PARTS      128u
#define GPT_ENTRY_SIZE     128u
#define GPT_HEADER_SIZE    92u
#define GPT_MAX_ARRAY      (1u << 20)
#define GPT_MAX_LBS        4096u

enum gpt_err {
	GPT_E_IO      = -1,       /* the read or write function failed */
	GPT_E_MBR     = -2,       /* no protective MBR */
	GPT_E_HEADER  = -3,       /* neither header is valid (signature, size, CRC, LBAs) */
	GPT_E_ENTRIES = -4,       /* entry arrays bad (CRC) or partitions out of range */
	GPT_E_ARG     = -5,       /* bad arguments (block size, disk too small, too many parts) */
};

struct gpt_part {
	uint8_t type[16];         /* GUID as stored (mixed endian); all zero: unused */
	uint8_t uuid[16];
	uint64_t first_lba, last_lba;     /* inclusive */
	uint64_t attrs;
	uint16_t name[36];        /* UTF-16LE, NUL-padded */
};

struct gpt_disk {
	uint32_t lbs;             /* logical block size */
	uint64_t lbas;            /* blocks on the disk */
	uint8_t guid[16];
	uint64_t first_usable, last_usable;
	uint32_t nparts;          /* used entries copied to parts[], in table order */
	uint32_t index[GPT_MAX_PARTS];    /* each one's slot in the entry array */
	struct gpt_part parts[GPT_MAX_PARTS];
	bool used_backup;         /* the primary was bad */
	bool backup_bad;          /* the primary was used and the backup header is bad */
};

/* Block access: count blocks of lbs bytes at lba.  Return 0 or non-zero. */
typedef int gpt_read_fn(void *ctx, uint64_t lba, uint32_t count, void *buf);
typedef int gpt_write_fn(void *ctx, uint64_t lba, uint32_t count, const void *buf);

/* Reads the table of a disk of lbas blocks of lbs bytes (512..4096, a power
 * of two).  Returns 0 with *d filled, or a GPT_E_*. */
int gpt_read(gpt_read_fn *rd, void *ctx, uint32_t lbs, uint64_t lbas, struct gpt_disk *d);

/* Writes a protective MBR, both headers and both entry arrays (128 entries)
 * for the partitions parts[0..n), which must lie in the usable range and
 * not overlap.  Returns 0 or a GPT_E_*. */
int gpt_write(gpt_write_fn *wr, void *ctx, uint32_t lbs, uint64_t lbas, const uint8_t guid[16],
	      const struct gpt_part *parts, uint32_t n);

/* The first and last usable LBA of a disk with 128-entry arrays. */
void gpt_usable(uint32_t lbs, uint64_t lbas, uint64_t *first, uint64_t *last);

/* The type GUID of a Keel fs-keel partition (as stored). */
extern const uint8_t gpt_type_fskeel[16];

/* A short description of a GPT_E_* value. */
const char *gpt_strerror(int err);
