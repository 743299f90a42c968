/* CRC-32 and CRC-32C against their published check values, and GPT
 * tables: written and read back, read from the backup when the primary
 * header or its entry array is damaged, refused when both are or when the
 * protective MBR is missing, and refused for partitions that overlap or
 * leave the usable range. */
#include <stdlib.h>
#include <string.h>
#include "crc.h"
#include "gpt.h"
#include "ktap.h"

static void crc_check_values(const void *arg)
{
	static const char check[] = "123456789";

	(void)arg;
	KT_EQ(crc32_ieee(0, check, 9), 0xcbf43926);
	KT_EQ(crc32c(0, check, 9), 0xe3069283);
	KT_EQ(crc32_ieee(0, "", 0), 0);
	/* In pieces, the same as at once. */
	KT_EQ(crc32c(crc32c(0, check, 4), check + 4, 5), 0xe3069283);
	KT_EQ(crc32_ieee(crc32_ieee(0, check, 1), check + 1, 8), 0xcbf43926);
	/* 32 bytes of zeros, a published CRC-32C vector. */
	uint8_t z[32] = { 0 };
	KT_EQ(crc32c(0, z, 32), 0x8a9136aa);
}

/* ---- a disk in memory ---------------------------------------------------------- */

struct disk {
	uint32_t lbs;
	uint64_t lbas;
	uint8_t *mem;
};

static int d_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct disk *d = ctx;

	if (lba > d->lbas || count > d->lbas - lba)
		return -1;
	memcpy(buf, d->mem + lba * d->lbs, (size_t)count * d->lbs);
	return 0;
}

static int d_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	struct disk *d = ctx;

	if (lba > d->lbas || count > d->lbas - lba)
		return -1;
	memcpy(d->mem + lba * d->lbs, buf, (size_t)count * d->lbs);
	return 0;
}

static const uint8_t guid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* A disk with two partitions: fs-keel over most of it, a small one after. */
static void disk_make(struct disk *d, uint32_t lbs, uint64_t lbas, struct gpt_part parts[2])
{
	uint64_t first, last;

	d->lbs = lbs;
	d->lbas = lbas;
	d->mem = calloc(lbas, lbs);
	gpt_usable(lbs, lbas, &first, &last);
	memset(parts, 0, 2 * sizeof(*parts));
	memcpy(parts[0].type, gpt_type_fskeel, 16);
	memset(parts[0].uuid, 0xaa, 16);
	parts[0].first_lba = first;
	parts[0].last_lba = last - 10;
	parts[0].name[0] = 'k';
	parts[0].name[1] = 'e';
	memset(parts[1].type, 0x11, 16);
	memset(parts[1].uuid, 0xbb, 16);
	parts[1].first_lba = last - 9;
	parts[1].last_lba = last;
	parts[1].attrs = 1ull << 60;
}

static void parts_equal(const struct gpt_disk *g, const struct gpt_part *want, uint32_t n)
{
	KT_EQ(g->nparts, n);
	for (uint32_t i = 0; i < n && i < g->nparts; i++) {
		KT_CHECK(memcmp(&g->parts[i], &want[i], sizeof(want[i])) == 0);
		KT_EQ(g->index[i], i);
	}
}

static void gpt_round_trip(const void *arg)
{
	static const uint32_t sizes[] = { 512, 4096 };
	struct gpt_part parts[2];
	struct gpt_disk *g = malloc(sizeof(*g));
	struct disk d;

	(void)arg;
	for (size_t i = 0; i < KT_COUNT(sizes); i++) {
		disk_make(&d, sizes[i], 2000, parts);
		KT_EQ(gpt_write(d_write, &d, d.lbs, d.lbas, guid, parts, 2), 0);
		KT_EQ(d.mem[510], 0x55);
		KT_EQ(d.mem[446 + 4], 0xee);
		KT_EQ(memcmp(d.mem + d.lbs, "EFI PART", 8), 0);
		KT_EQ(memcmp(d.mem + (d.lbas - 1) * d.lbs, "EFI PART", 8), 0);
		KT_EQ(gpt_read(d_read, &d, d.lbs, d.lbas, g), 0);
		KT_CHECK(!g->used_backup && !g->backup_bad);
		KT_CHECK(memcmp(g->guid, guid, 16) == 0);
		parts_equal(g, parts, 2);
		free(d.mem);
	}
	free(g);
}

/* Damage at byte `off` of the disk, then the read must use the backup. */
static void falls_back(uint64_t off, bool both, int want_err)
{
	struct gpt_part parts[2];
	struct gpt_disk *g = malloc(sizeof(*g));
	struct disk d;

	disk_make(&d, 512, 1000, parts);
	KT_EQ(gpt_write(d_write, &d, d.lbs, d.lbas, guid, parts, 2), 0);
	d.mem[off] ^= 0x40;
	if (both)                         /* the same byte of the backup's block */
		d.mem[(d.lbas - 1) * d.lbs + off % d.lbs] ^= 0x40;
	int err = gpt_read(d_read, &d, d.lbs, d.lbas, g);
	KT_EQ(err, want_err);
	if (err == 0) {
		KT_CHECK(g->used_backup);
		parts_equal(g, parts, 2);
	} else {
		KT_EQ(g->nparts, 0);
	}
	free(d.mem);
	free(g);
}

static void gpt_primary_header_bad_uses_backup(const void *arg)
{
	(void)arg;
	falls_back(512 + 0, false, 0);        /* signature */
	falls_back(512 + 40, false, 0);       /* first usable: header CRC mismatch */
	falls_back(512 + 16, false, 0);       /* the CRC itself */
}

static void gpt_primary_entries_bad_uses_backup(const void *arg)
{
	(void)arg;
	falls_back(2 * 512 + 33, false, 0);   /* an entry byte: array CRC mismatch */
}

static void gpt_both_bad_is_refused(const void *arg)
{
	(void)arg;
	falls_back(512 + 40, true, GPT_E_HEADER);
}

static void gpt_without_protective_mbr_is_refused(const void *arg)
{
	(void)arg;
	falls_back(446 + 4, false, GPT_E_MBR);
	falls_back(511, false, GPT_E_MBR);
}

/* A header that is self-consistent (CRCs recomputed) but lies about its
 * geometry is refused by the range checks, not trusted. */
static void gpt_consistent_lies_are_refused(const void *arg)
{
	struct gpt_part parts[2];
	struct gpt_disk *g = malloc(sizeof(*g));
	struct disk d;
	uint8_t *h;

	(void)arg;
	static const struct { uint32_t off; uint32_t val; } lies[] = {
		{ 80, 100000 },           /* entries: array past GPT_MAX_ARRAY */
		{ 84, 96 },               /* entry size not a multiple of 128 */
		{ 48, 5000 },             /* last usable past the disk */
		{ 12, 600 },              /* header bigger than its block */
	};
	for (size_t i = 0; i < KT_COUNT(lies); i++) {
		disk_make(&d, 512, 1000, parts);
		KT_EQ(gpt_write(d_write, &d, d.lbs, d.lbas, guid, parts, 2), 0);
		for (int copy = 0; copy < 2; copy++) {
			h = d.mem + (copy ? (d.lbas - 1) * d.lbs : d.lbs);
			memcpy(h + lies[i].off, &lies[i].val, 4);
			memset(h + 16, 0, 4);
			uint32_t crc = crc32_ieee(0, h, 92);
			memcpy(h + 16, &crc, 4);
		}
		KT_EQ(gpt_read(d_read, &d, d.lbs, d.lbas, g), GPT_E_HEADER);
		free(d.mem);
	}
	free(g);
}

/* The primary header's entry-array LBA near 2^64, its CRC recomputed: a
 * lie the range check must see (the sum wrapped and passed it, and the
 * array's read then failed as I/O without the backup being tried). */
static void gpt_entry_lba_near_2_64_uses_backup(const void *arg)
{
	struct gpt_part parts[2];
	struct gpt_disk *g = malloc(sizeof(*g));
	struct disk d;
	uint64_t huge = ~0ull;

	(void)arg;
	disk_make(&d, 512, 1000, parts);
	KT_EQ(gpt_write(d_write, &d, d.lbs, d.lbas, guid, parts, 2), 0);
	uint8_t *h = d.mem + d.lbs;
	memcpy(h + 72, &huge, 8);
	memset(h + 16, 0, 4);
	uint32_t crc = crc32_ieee(0, h, 92);
	memcpy(h + 16, &crc, 4);
	KT_EQ(gpt_read(d_read, &d, d.lbs, d.lbas, g), 0);
	KT_CHECK(g->used_backup);
	parts_equal(g, parts, 2);
	free(d.mem);
	free(g);
}

static void gpt_write_refuses_bad_partitions(const void *arg)
{
	struct gpt_part parts[2];
	struct disk d;

	(void)arg;
	disk_make(&d, 512, 1000, parts);
	parts[1].first_lba = parts[0].last_lba;   /* overlap */
	KT_EQ(gpt_write(d_write, &d, d.lbs, d.lbas, guid, parts, 2), GPT_E_ARG);
	free(d.mem);
	disk_make(&d, 512, 1000, parts);
	parts[1].last_lba = d.lbas - 1;            /* over the backup */
	KT_EQ(gpt_write(d_write, &d, d.lbs, d.lbas, guid, parts, 2), GPT_E_ARG);
	parts[1].last_lba = parts[1].first_lba - 1;
	KT_EQ(gpt_write(d_write, &d, d.lbs, d.lbas, guid, parts, 2), GPT_E_ARG);
	KT_EQ(gpt_write(d_write, &d, 1000, d.lbas, guid, parts, 1), GPT_E_ARG);
	KT_EQ(gpt_write(d_write, &d, 512, 40, guid, parts, 0), GPT_E_ARG);
	free(d.mem);
}

static const struct kt_case cases[] = {
	{ "crc_check_values", crc_check_values, NULL },
	{ "gpt_round_trip", gpt_round_trip, NULL },
	{ "gpt_primary_header_bad_uses_backup", gpt_primary_header_bad_uses_backup, NULL },
	{ "gpt_primary_entries_bad_uses_backup", gpt_primary_entries_bad_uses_backup, NULL },
	{ "gpt_both_bad_is_refused", gpt_both_bad_is_refused, NULL },
	{ "gpt_without_protective_mbr_is_refused", gpt_without_protective_mbr_is_refused, NULL },
	{ "gpt_consistent_lies_are_refused", gpt_consistent_lies_are_refused, NULL },
	{ "gpt_entry_lba_near_2_64_uses_backup", gpt_entry_lba_near_2_64_uses_backup, NULL },
	{ "gpt_write_refuses_bad_partitions", gpt_write_refuses_bad_partitions, NULL },
};

int main(void)
{
	return kt_run(cases, KT_COUNT(cases));
}
