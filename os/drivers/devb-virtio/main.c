/* devb-virtio: the block driver for virtio-mmio disks (QEMU virt's
 * `-device virtio-blk-device`).
 *
 * It probes every "virtio,mmio" node of the device tree (HwInfoDevice),
 * drives each block device it finds (legacy or modern register layout)
 * and publishes /dev/vblk<N> and its GPT partitions /dev/vblk<N>p<M>
 * through os/lib/blkdev.c (which has the byte-offset read and write
 * through the bounce buffer, fsync and the GPT).  fsync is the device's
 * cache flush (VIRTIO_BLK_T_FLUSH) when the device has a volatile cache.
 *
 * Transfers: one request at a time per disk (blkdev's lock), up to
 * BOUNCE_BYTES each, as one descriptor chain (header, one descriptor per
 * bounce page, status).  The bounce pages' physical addresses come from
 * MemPhys.  Completion is by interrupt: the interrupt's pulse goes to a
 * channel of the disk's own that the requesting thread waits on, with a
 * deadline; a request the device does not answer in IO_TIMEOUT_NS fails
 * with EIO and the disk is taken out of service (every later request
 * fails too), said once on stderr.
 *
 * Exit status: 0 when there is no virtio block device (nothing to drive:
 * init does not start it again), 1 when a device could not be brought up
 * or served; otherwise it serves until killed. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <keel/hwinfo.h>
#include <keel/neutrino.h>
#include <keel/procmgr.h>
#include <keel/procmsg.h>
#include "blkdev.h"
#include "virtio.h"

#define DEV_VA          0x3000000000ul      /* device i's registers at DEV_VA + i pages */
#define PAGE            4096u
#define SECTOR          512u
#define QSIZE_MAX       32u                 /* descriptors: header, data pages, status */
#define BOUNCE_PAGES    16u
#define BOUNCE_BYTES    (BOUNCE_PAGES * PAGE)
#define DISKS_MAX       BLKDEV_DISKS_MAX
#define IO_TIMEOUT_NS   10000000000ull
#define USED_ALIGN      64u                 /* legacy QueueAlign: the ring fits one page */

struct disk {
	struct blkdisk blk;                 /* first: blkdev hands it back */
	unsigned index;
	volatile uint8_t *regs;
	unsigned version;                   /* 1 legacy, 2 modern */
	int irq, intr_id, irq_chid;
	bool can_flush, broken;
	/* the virtqueue, in one page */
	uint8_t *ring;
	uint64_t ring_pa;
	uint16_t qsize, avail_idx, used_seen;
	struct vring_desc *desc;
	volatile uint16_t *avail;           /* flags, idx, ring[qsize] */
	volatile uint16_t *used;            /* flags, idx, then the elements */
	/* the request header and status byte, in one page */
	struct virtio_blk_req *hdr;
	volatile uint8_t *status;
	uint64_t hdr_pa, status_pa;
	/* the bounce buffer */
	uint8_t *bounce;
	uint64_t bounce_pa[BOUNCE_PAGES];
	unsigned bounce_pages;              /* usable with this queue size */
};

static struct disk disks[DISKS_MAX];
static unsigned ndisks;

/* ---- registers ---------------------------------------------------------------- */

static uint32_t rd(const struct disk *d, unsigned off)
{
	return *(volatile uint32_t *)(d->regs + off);
}

static void wr(struct disk *d, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(d->regs + off) = v;
}

/* Orders our stores to the rings against the device's view and the
 * register writes that follow (and the device's stores against our
 * loads after): memory and device I/O, both ways. */
static inline void io_fence(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

/* ---- bring-up --------------------------------------------------------------------- */

static int fail(struct disk *d, const char *what)
{
	fprintf(stderr, "devb-virtio: vblk%u: %s\n", d->index, what);
	wr(d, VMMIO_STATUS, VSTAT_FAILED);
	return -1;
}

static int setup_queue(struct disk *d)
{
	uint32_t max;

	wr(d, VMMIO_QUEUE_SEL, 0);
	if (d->version == 2 && rd(d, VMMIO_QUEUE_READY))
		return fail(d, "queue 0 already in use");
	max = rd(d, VMMIO_QUEUE_NUM_MAX);
	if (max < 4)
		return fail(d, "queue 0 is too small");
	/* a power of two, as the legacy layout needs */
	d->qsize = QSIZE_MAX;
	while (d->qsize > max)
		d->qsize /= 2;
	d->bounce_pages = d->qsize - 2u < BOUNCE_PAGES ? d->qsize - 2u : BOUNCE_PAGES;

	d->ring = blkdev_dma_alloc(1, &d->ring_pa);
	if (!d->ring)
		return fail(d, "no memory for the queue");
	size_t avail_off = 16u * d->qsize;
	size_t used_off = (avail_off + 6u + 2u * d->qsize + USED_ALIGN - 1) & ~(size_t)(USED_ALIGN - 1);
	d->desc = (struct vring_desc *)d->ring;
	d->avail = (volatile uint16_t *)(d->ring + avail_off);
	d->used = (volatile uint16_t *)(d->ring + used_off);

	wr(d, VMMIO_QUEUE_NUM, d->qsize);
	if (d->version == 1) {
		wr(d, VMMIO_QUEUE_ALIGN, USED_ALIGN);
		wr(d, VMMIO_QUEUE_PFN, (uint32_t)(d->ring_pa / PAGE));
	} else {
		uint64_t a[3] = { d->ring_pa, d->ring_pa + avail_off, d->ring_pa + used_off };
		wr(d, VMMIO_QUEUE_DESC_LOW, (uint32_t)a[0]);
		wr(d, VMMIO_QUEUE_DESC_HIGH, (uint32_t)(a[0] >> 32));
		wr(d, VMMIO_QUEUE_DRIVER_LOW, (uint32_t)a[1]);
		wr(d, VMMIO_QUEUE_DRIVER_HIGH, (uint32_t)(a[1] >> 32));
		wr(d, VMMIO_QUEUE_DEVICE_LOW, (uint32_t)a[2]);
		wr(d, VMMIO_QUEUE_DEVICE_HIGH, (uint32_t)(a[2] >> 32));
		wr(d, VMMIO_QUEUE_READY, 1);
	}
	return 0;
}

static int setup_buffers(struct disk *d)
{
	uint8_t *req = blkdev_dma_alloc(1, &d->hdr_pa);

	if (!req)
		return fail(d, "no memory for requests");
	d->hdr = (struct virtio_blk_req *)req;
	d->status = req + sizeof *d->hdr;
	d->status_pa = d->hdr_pa + sizeof *d->hdr;
	d->bounce = blkdev_dma_alloc(BOUNCE_PAGES, d->bounce_pa);
	if (!d->bounce)
		return fail(d, "no memory for the bounce buffer");
	return 0;
}

static int setup_interrupt(struct disk *d)
{
	if (blkdev_irq_attach(d->irq, &d->irq_chid, &d->intr_id))
		return fail(d, "cannot attach its interrupt");
	return 0;
}

/* Resets the device and brings it to DRIVER_OK (virtio 1.1, 3.1.1). */
static int bring_up(struct disk *d)
{
	uint64_t features, want;

	wr(d, VMMIO_STATUS, 0);
	while (rd(d, VMMIO_STATUS) != 0)
		;
	wr(d, VMMIO_STATUS, VSTAT_ACKNOWLEDGE);
	wr(d, VMMIO_STATUS, VSTAT_ACKNOWLEDGE | VSTAT_DRIVER);
	wr(d, VMMIO_DEVICE_FEATURES_SEL, 0);
	features = rd(d, VMMIO_DEVICE_FEATURES);
	wr(d, VMMIO_DEVICE_FEATURES_SEL, 1);
	features |= (uint64_t)rd(d, VMMIO_DEVICE_FEATURES) << 32;
	want = features & ((1ull << VIRTIO_BLK_F_RO) | (1ull << VIRTIO_BLK_F_FLUSH) |
			   (1ull << VIRTIO_F_VERSION_1));
	if (d->version == 2 && !(want & (1ull << VIRTIO_F_VERSION_1)))
		return fail(d, "a modern device without VERSION_1");
	d->blk.ro = want & (1ull << VIRTIO_BLK_F_RO);
	d->can_flush = want & (1ull << VIRTIO_BLK_F_FLUSH);
	wr(d, VMMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VMMIO_DRIVER_FEATURES, (uint32_t)want);
	wr(d, VMMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VMMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
	if (d->version == 1) {
		wr(d, VMMIO_GUEST_PAGE_SIZE, PAGE);
	} else {
		wr(d, VMMIO_STATUS, VSTAT_ACKNOWLEDGE | VSTAT_DRIVER | VSTAT_FEATURES_OK);
		if (!(rd(d, VMMIO_STATUS) & VSTAT_FEATURES_OK))
			return fail(d, "the device refused our features");
	}
	d->blk.blocks = rd(d, VMMIO_CONFIG) | (uint64_t)rd(d, VMMIO_CONFIG + 4) << 32;
	if (setup_buffers(d) || setup_queue(d) || setup_interrupt(d))
		return -1;
	wr(d, VMMIO_STATUS, rd(d, VMMIO_STATUS) | VSTAT_DRIVER_OK);
	if (rd(d, VMMIO_STATUS) & VSTAT_NEEDS_RESET)
		return fail(d, "the device needs a reset after start");
	return 0;
}

/* ---- requests ------------------------------------------------------------------------ */

/* Waits for the device's interrupt until the deadline: 0, or ETIMEDOUT. */
static int wait_irq(struct disk *d, uint64_t deadline)
{
	int r = blkdev_wait_irq(d->irq_chid, deadline);

	if (r == 0) {
		wr(d, VMMIO_INTERRUPT_ACK, rd(d, VMMIO_INTERRUPT_STATUS));
		InterruptUnmask_r(d->irq, d->intr_id);
	}
	return r == ETIMEDOUT ? ETIMEDOUT : 0;
}

/* One request: type at sector, for nsec sectors of the bounce buffer (0 for
 * a flush).  Under the disk's lock.  0 or an errno. */
static int request(struct disk *d, uint32_t type, uint64_t sector, unsigned nsec)
{
	unsigned n = 0;
	size_t bytes = (size_t)nsec * SECTOR;

	if (d->broken)
		return EIO;
	d->hdr->type = type;
	d->hdr->reserved = 0;
	d->hdr->sector = sector;
	*d->status = 0xff;
	d->desc[n++] = (struct vring_desc){ d->hdr_pa, sizeof *d->hdr, VRING_DESC_F_NEXT, 1 };
	for (unsigned i = 0; bytes; i++) {
		uint32_t len = bytes < PAGE ? (uint32_t)bytes : PAGE;
		d->desc[n] = (struct vring_desc){ d->bounce_pa[i], len,
			(uint16_t)(VRING_DESC_F_NEXT | (type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0)),
			(uint16_t)(n + 1) };
		n++;
		bytes -= len;
	}
	d->desc[n++] = (struct vring_desc){ d->status_pa, 1, VRING_DESC_F_WRITE, 0 };

	d->avail[2 + d->avail_idx % d->qsize] = 0;      /* the chain's head */
	io_fence();
	d->avail[1] = ++d->avail_idx;
	io_fence();
	wr(d, VMMIO_QUEUE_NOTIFY, 0);

	uint64_t deadline = blkdev_now_ns() + IO_TIMEOUT_NS;
	for (;;) {
		io_fence();
		if (d->used[1] != d->used_seen)
			break;
		if (wait_irq(d, deadline) == ETIMEDOUT) {
			io_fence();
			if (d->used[1] != d->used_seen)
				break;
			fprintf(stderr, "devb-virtio: vblk%u: no answer to a request in %llu s; "
				"the disk is out of service\n", d->index,
				(unsigned long long)(IO_TIMEOUT_NS / 1000000000u));
			d->broken = true;
			return EIO;
		}
	}
	/* One request in flight: the device's used index moves by exactly one,
	 * and its element names our chain (descriptor 0).  Anything else is a
	 * device out of step with us, whose later answers could not be told
	 * from this one's: out of service, not a guess. */
	uint16_t used = d->used[1];
	/* (elements of 8 bytes, id then length, from byte 4 on) */
	const volatile uint32_t *elem =
		(const volatile uint32_t *)(const volatile void *)&d->used[2 + 4 * (d->used_seen % d->qsize)];
	if ((uint16_t)(used - d->used_seen) != 1 || elem[0] != 0) {
		fprintf(stderr, "devb-virtio: vblk%u: the device's used ring is out of step "
			"(index %u after %u, id %u); the disk is out of service\n", d->index,
			used, d->used_seen, (unsigned)elem[0]);
		d->broken = true;
		return EIO;
	}
	d->used_seen++;
	io_fence();
	switch (*d->status) {
	case VIRTIO_BLK_S_OK:
		return 0;
	case VIRTIO_BLK_S_UNSUPP:
		return ENOTSUP;
	default:
		return EIO;
	}
}

/* blkdev's operations: the bounce buffer's first nsec sectors to or from
 * the disk, and the cache flush. */
static int transfer(struct blkdisk *b, bool write, uint64_t sector, unsigned nsec)
{
	return request(b->priv, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, nsec);
}

static int flush(struct blkdisk *b)
{
	struct disk *d = b->priv;

	if (!d->can_flush)
		return d->broken ? EIO : 0;     /* no volatile cache: written is durable */
	return request(d, VIRTIO_BLK_T_FLUSH, 0, 0);
}

static const struct blkdev_ops virtio_ops = { .transfer = transfer, .flush = flush };

/* ---- start ---------------------------------------------------------------------------- */

static int probe(void)
{
	struct _hw_device hw;

	for (int i = 0; ndisks < DISKS_MAX && HwInfoDevice_r("virtio,mmio", i, &hw) == 0; i++) {
		uint64_t page = hw.base & ~(uint64_t)(PAGE - 1);
		uintptr_t va = DEV_VA + (uintptr_t)i * PAGE;
		if (hw.base - page + 0x200 > PAGE || !hw.irq)
			continue;
		if (AsMap_r(AS_SELF, va, PAGE, PROT_READ | PROT_WRITE, AS_MAP_PHYS, page) < 0) {
			fprintf(stderr, "devb-virtio: cannot map %#llx\n", (unsigned long long)page);
			return -1;
		}
		struct disk *d = &disks[ndisks];
		d->regs = (volatile uint8_t *)(va + (hw.base - page));
		if (rd(d, VMMIO_MAGIC) != VIRTIO_MAGIC || rd(d, VMMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
			continue;               /* an empty slot or another device: stays mapped */
		d->version = rd(d, VMMIO_VERSION);
		d->index = ndisks;
		d->irq = (int)hw.irq;
		if (d->version != 1 && d->version != 2) {
			fprintf(stderr, "devb-virtio: vblk%u: unknown virtio-mmio version %u\n",
				d->index, d->version);
			continue;
		}
		if (bring_up(d))
			return -1;
		blkdev_init(&d->blk);
		d->blk.driver = "devb-virtio";
		snprintf(d->blk.name, sizeof d->blk.name, "vblk%u", d->index);
		d->blk.block_size = SECTOR;
		d->blk.bounce = d->bounce;
		d->blk.bounce_blocks = d->bounce_pages * (PAGE / SECTOR);
		d->blk.ops = &virtio_ops;
		d->blk.priv = d;
		ndisks++;
	}
	return 0;
}

int main(void)
{
	if (probe())
		return 1;
	if (ndisks == 0) {
		printf("devb-virtio: no virtio block device\n");
		return 0;
	}
	for (unsigned i = 0; i < ndisks; i++)
		if (blkdev_publish(&disks[i].blk))
			return 1;
	blkdev_serve_forever();
}
