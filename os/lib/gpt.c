/* GUID partition tables (see gpt.h).  Fields are decoded byte by byte
 * (little-endian), so nothing depends on the host's layout or alignment;
 * the entry array is read and written one block at a time through a block
 * buffer on the stack, so a table costs no allocation. */
#include "crc.h"
#include "gpt.h"
#include "lib_string.h"

#define ARRAY_ENTRIES 128u
#define MBR_TYPE_PROTECTIVE 0xee

/* Header field offsets. */
enum {
	H_SIG = 0, H_REV = 8, H_SIZE = 12, H_CRC = 16, H_MY = 24, H_ALT = 32, H_FIRST = 40,
	H_LAST = 48, H_GUID = 56, H_ENTRIES = 72, H_NUM = 80, H_ESIZE = 84, H_ECRC = 88,
};

/* Entry field offsets. */
enum { E_TYPE = 0, E_UUID = 16, E_FIRST = 32, E_LAST = 40, E_ATTRS = 48, E_NAME = 56 };

/* Chosen for Keel: the first eight bytes spell "KeelfsKE", the rest are
 * random. */
const uint8_t gpt_type_fskeel[16] = {
	0x4b, 0x65, 0x65, 0x6c, 0x66, 0x73, 0x4b, 0x45,
	0x9d, 0x3b, 0x51, 0x27, 0x0a, 0xe2, 0x64, 0x8c,
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static bool lbs_ok(uint32_t lbs)
{
	return lbs >= 512 && lbs <= GPT_MAX_LBS && (lbs & (lbs - 1)) == 0;
}

void gpt_usable(uint32_t lbs, uint64_t lbas, uint64_t *first, uint64_t *last)
{
	uint64_t array = ARRAY_ENTRIES * GPT_ENTRY_SIZE / lbs;

	*first = 2 + array;
	*last = lbas - 2 - array;
}

static bool zero16(const uint8_t *g)
{
	for (int i = 0; i < 16; i++)
		if (g[i])
			return false;
	return true;
}

/* ---- reading ------------------------------------------------------------------- */

static bool mbr_ok(const uint8_t *b)
{
	if (b[510] != 0x55 || b[511] != 0xaa)
		return false;
	for (int i = 0; i < 4; i++)
		if (b[446 + 16 * i + 4] == MBR_TYPE_PROTECTIVE)
			return true;
	return false;
}

/* Checks the header in blk, read from `at`, for a disk of lbas blocks. */
static bool header_ok(uint8_t *blk, uint32_t lbs, uint64_t lbas, uint64_t at)
{
	uint32_t size = get32(blk + H_SIZE), crc = get32(blk + H_CRC), esize, num;
	uint64_t first, last, ent, nblk;
	bool ok;

	if (memcmp(blk + H_SIG, "EFI PART", 8) || get32(blk + H_REV) != 0x00010000)
		return false;
	if (size < GPT_HEADER_SIZE || size > lbs)
		return false;
	put32(blk + H_CRC, 0);
	ok = crc32_ieee(0, blk, size) == crc;
	put32(blk + H_CRC, crc);
	if (!ok || get64(blk + H_MY) != at)
		return false;
	first = get64(blk + H_FIRST);
	last = get64(blk + H_LAST);
	ent = get64(blk + H_ENTRIES);
	esize = get32(blk + H_ESIZE);
	num = get32(blk + H_NUM);
	if (esize < GPT_ENTRY_SIZE || esize % GPT_ENTRY_SIZE || esize > lbs || (esize & (esize - 1)))
		return false;
	if (num == 0 || (uint64_t)num * esize > GPT_MAX_ARRAY)
		return false;
	nblk = ((uint64_t)num * esize + lbs - 1) / lbs;
	if (first < 2 || first > last || last >= lbas - 1)
		return false;
	/* (Written so that no sum wraps: an entry LBA near 2^64 passed as
	 * ent + nblk, and the read of the array failed as I/O, the backup
	 * never tried.) */
	if (at == 1)                      /* primary: array between header and usable */
		return ent >= 2 && ent <= first && nblk <= first - ent;
	return ent > last && ent < lbas - 1 && nblk <= lbas - 1 - ent;
}

/* Records a used entry after checking its range and overlaps. */
static bool add_part(struct gpt_disk *d, const uint8_t *e, uint32_t slot)
{
	struct gpt_part *p;

	if (zero16(e + E_TYPE))
		return true;
	if (d->nparts == GPT_MAX_PARTS)
		return false;
	p = &d->parts[d->nparts];
	memcpy(p->type, e + E_TYPE, 16);
	memcpy(p->uuid, e + E_UUID, 16);
	p->first_lba = get64(e + E_FIRST);
	p->last_lba = get64(e + E_LAST);
	p->attrs = get64(e + E_ATTRS);
	for (int i = 0; i < 36; i++)
		p->name[i] = (uint16_t)(e[E_NAME + 2 * i] | e[E_NAME + 2 * i + 1] << 8);
	if (p->first_lba > p->last_lba || p->first_lba < d->first_usable ||
	    p->last_lba > d->last_usable)
		return false;
	for (uint32_t i = 0; i < d->nparts; i++)
		if (p->first_lba <= d->parts[i].last_lba && d->parts[i].first_lba <= p->last_lba)
			return false;
	d->index[d->nparts++] = slot;
	return true;
}

/* Reads and checks the table whose header is at `at`. */
static int table_read(gpt_read_fn *rd, void *ctx, uint32_t lbs, uint64_t lbas, uint64_t at,
		      struct gpt_disk *d)
{
	uint8_t hdr[GPT_MAX_LBS], blk[GPT_MAX_LBS];
	uint32_t num, esize, per, crc = 0, slot = 0;
	uint64_t ent, nblk;

	if (rd(ctx, at, 1, hdr))
		return GPT_E_IO;
	if (!header_ok(hdr, lbs, lbas, at))
		return GPT_E_HEADER;
	num = get32(hdr + H_NUM);
	esize = get32(hdr + H_ESIZE);
	ent = get64(hdr + H_ENTRIES);
	per = lbs / esize;
	nblk = ((uint64_t)num * esize + lbs - 1) / lbs;
	d->nparts = 0;
	d->first_usable = get64(hdr + H_FIRST);
	d->last_usable = get64(hdr + H_LAST);
	memcpy(d->guid, hdr + H_GUID, 16);
	for (uint64_t b = 0; b < nblk; b++) {
		if (rd(ctx, ent + b, 1, blk))
			return GPT_E_IO;
		for (uint32_t k = 0; k < per && slot < num; k++, slot++) {
			crc = crc32_ieee(crc, blk + k * esize, esize);
			if (!add_part(d, blk + k * esize, slot))
				return GPT_E_ENTRIES;
		}
	}
	return crc == get32(hdr + H_ECRC) ? 0 : GPT_E_ENTRIES;
}

int gpt_read(gpt_read_fn *rd, void *ctx, uint32_t lbs, uint64_t lbas, struct gpt_disk *d)
{
	uint8_t blk[GPT_MAX_LBS];
	int primary, backup;

	if (!lbs_ok(lbs) || lbas < 6)
		return GPT_E_ARG;
	d->lbs = lbs;
	d->lbas = lbas;
	d->nparts = 0;
	d->used_backup = d->backup_bad = false;
	if (rd(ctx, 0, 1, blk))
		return GPT_E_IO;
	if (!mbr_ok(blk))
		return GPT_E_MBR;
	primary = table_read(rd, ctx, lbs, lbas, 1, d);
	if (primary == GPT_E_IO)
		return primary;
	if (primary == 0) {
		d->backup_bad = rd(ctx, lbas - 1, 1, blk) || !header_ok(blk, lbs, lbas, lbas - 1);
		return 0;
	}
	backup = table_read(rd, ctx, lbs, lbas, lbas - 1, d);
	if (backup == 0)
		d->used_backup = true;
	else
		d->nparts = 0;
	return backup == 0 ? 0 : backup == GPT_E_IO ? GPT_E_IO : primary;
}

/* ---- writing ------------------------------------------------------------------- */

static void mbr_fill(uint8_t *b, uint32_t lbs, uint64_t lbas)
{
	uint8_t *e = b + 446;

	memset(b, 0, lbs);
	e[1] = 0x00;                      /* CHS of LBA 1: head 0, sector 2 */
	e[2] = 0x02;
	e[4] = MBR_TYPE_PROTECTIVE;
	e[5] = e[6] = e[7] = 0xff;
	put32(e + 8, 1);
	put32(e + 12, lbas - 1 > 0xffffffffu ? 0xffffffffu : (uint32_t)(lbas - 1));
	b[510] = 0x55;
	b[511] = 0xaa;
}

static void entry_fill(uint8_t *e, const struct gpt_part *p)
{
	memcpy(e + E_TYPE, p->type, 16);
	memcpy(e + E_UUID, p->uuid, 16);
	put64(e + E_FIRST, p->first_lba);
	put64(e + E_LAST, p->last_lba);
	put64(e + E_ATTRS, p->attrs);
	for (int i = 0; i < 36; i++) {
		e[E_NAME + 2 * i] = (uint8_t)p->name[i];
		e[E_NAME + 2 * i + 1] = (uint8_t)(p->name[i] >> 8);
	}
}

/* Fills block b of the entry array; returns the array's CRC so far. */
static uint32_t array_block(uint8_t *blk, uint32_t lbs, uint64_t b, const struct gpt_part *parts,
			    uint32_t n, uint32_t crc)
{
	uint32_t per = lbs / GPT_ENTRY_SIZE;

	memset(blk, 0, lbs);
	for (uint32_t k = 0; k < per; k++) {
		uint64_t slot = b * per + k;
		if (slot < n)
			entry_fill(blk + k * GPT_ENTRY_SIZE, &parts[slot]);
	}
	return crc32_ieee(crc, blk, lbs);
}

static void header_fill(uint8_t *h, uint32_t lbs, uint64_t lbas, const uint8_t guid[16],
			bool primary, uint32_t ecrc)
{
	uint64_t first, last, array = ARRAY_ENTRIES * GPT_ENTRY_SIZE / lbs;

	gpt_usable(lbs, lbas, &first, &last);
	memset(h, 0, lbs);
	memcpy(h + H_SIG, "EFI PART", 8);
	put32(h + H_REV, 0x00010000);
	put32(h + H_SIZE, GPT_HEADER_SIZE);
	put64(h + H_MY, primary ? 1 : lbas - 1);
	put64(h + H_ALT, primary ? lbas - 1 : 1);
	put64(h + H_FIRST, first);
	put64(h + H_LAST, last);
	memcpy(h + H_GUID, guid, 16);
	put64(h + H_ENTRIES, primary ? 2 : lbas - 1 - array);
	put32(h + H_NUM, ARRAY_ENTRIES);
	put32(h + H_ESIZE, GPT_ENTRY_SIZE);
	put32(h + H_ECRC, ecrc);
	put32(h + H_CRC, crc32_ieee(0, h, GPT_HEADER_SIZE));
}

static bool parts_ok(uint32_t lbs, uint64_t lbas, const struct gpt_part *parts, uint32_t n)
{
	uint64_t first, last;

	gpt_usable(lbs, lbas, &first, &last);
	for (uint32_t i = 0; i < n; i++) {
		if (zero16(parts[i].type) || parts[i].first_lba > parts[i].last_lba ||
		    parts[i].first_lba < first || parts[i].last_lba > last)
			return false;
		for (uint32_t j = 0; j < i; j++)
			if (parts[i].first_lba <= parts[j].last_lba &&
			    parts[j].first_lba <= parts[i].last_lba)
				return false;
	}
	return true;
}

int gpt_write(gpt_write_fn *wr, void *ctx, uint32_t lbs, uint64_t lbas, const uint8_t guid[16],
	      const struct gpt_part *parts, uint32_t n)
{
	uint8_t blk[GPT_MAX_LBS];
	uint64_t array;
	uint32_t crc = 0;

	if (!lbs_ok(lbs) || n > ARRAY_ENTRIES)
		return GPT_E_ARG;
	array = ARRAY_ENTRIES * GPT_ENTRY_SIZE / lbs;
	if (lbas < 2 * array + 4 || !parts_ok(lbs, lbas, parts, n))
		return GPT_E_ARG;
	mbr_fill(blk, lbs, lbas);
	if (wr(ctx, 0, 1, blk))
		return GPT_E_IO;
	for (uint64_t b = 0; b < array; b++) {
		crc = array_block(blk, lbs, b, parts, n, crc);
		if (wr(ctx, 2 + b, 1, blk) || wr(ctx, lbas - 1 - array + b, 1, blk))
			return GPT_E_IO;
	}
	header_fill(blk, lbs, lbas, guid, false, crc);
	if (wr(ctx, lbas - 1, 1, blk))
		return GPT_E_IO;
	header_fill(blk, lbs, lbas, guid, true, crc);
	return wr(ctx, 1, 1, blk) ? GPT_E_IO : 0;
}

const char *gpt_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case GPT_E_IO: return "I/O error";
	case GPT_E_MBR: return "no protective MBR";
	case GPT_E_HEADER: return "no valid GPT header";
	case GPT_E_ENTRIES: return "partition entries corrupt or out of range";
	case GPT_E_ARG: return "bad arguments";
	default: return "unknown error";
	}
}
