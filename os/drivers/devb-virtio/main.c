/* devb-virtio: the block driver for virtio-mmio disks (QEMU virt's
 * `-device virtio-blk-device`).
 *
 * It probes every "virtio,mmio" node of the device tree (HwInfoDevice),
 * drives each block device it finds (legacy or modern register layout),
 * reads its GUID partition table (os/lib/gpt.c) and publishes
 *
 *   /dev/vblk<N>        the whole disk
 *   /dev/vblk<N>p<M>    partition M (its slot in the table, from 1)
 *
 * as block special files (owner root, mode 0600) with read, write, lseek,
 * stat and fsync.  Offsets and lengths may be any byte counts: a transfer
 * goes through a bounce buffer in whole sectors, and a write that covers
 * part of a sector reads it first.  fsync is the device's cache flush
 * (VIRTIO_BLK_T_FLUSH) when the device has a volatile cache.  A disk
 * without a valid GPT is published whole, with a line saying why.
 *
 * Transfers: one request at a time per disk (the disk's lock), up to
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
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <keel/clock.h>
#include <keel/hwinfo.h>
#include <keel/neutrino.h>
#include <keel/procmgr.h>
#include <keel/procmsg.h>
#include "gpt.h"
#include "virtio.h"

#define DEV_VA          0x3000000000ul      /* device i's registers at DEV_VA + i pages */
#define PAGE            4096u
#define SECTOR          512u
#define QSIZE_MAX       32u                 /* descriptors: header, data pages, status */
#define BOUNCE_PAGES    16u
#define BOUNCE_BYTES    (BOUNCE_PAGES * PAGE)
#define DISKS_MAX       8u
#define PARTS_MAX       8u                  /* partitions published per disk */
#define IO_TIMEOUT_NS   10000000000ull
#define PULSE_IRQ       1
#define USED_ALIGN      64u                 /* legacy QueueAlign: the ring fits one page */

struct disk {
	unsigned index;
	volatile uint8_t *regs;
	unsigned version;                   /* 1 legacy, 2 modern */
	int irq, intr_id, irq_chid, irq_coid;
	uint64_t sectors;
	bool ro, can_flush, broken;
	pthread_mutex_t lock;               /* one request at a time */
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

/* A published name: the whole disk or one partition. */
struct bdev {
	struct disk *disk;
	uint64_t first, count;              /* sectors */
	iofunc_attr_t attr;
	char path[32];
};

static struct disk disks[DISKS_MAX];
static unsigned ndisks;
static struct bdev bdevs[DISKS_MAX * (PARTS_MAX + 1)];
static unsigned nbdevs;

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

/* ---- memory the device reads and writes ------------------------------------------- */

/* A zeroed page and its physical address. */
static void *dma_page(uint64_t *pa)
{
	void *p = NULL;

	if (posix_memalign(&p, PAGE, PAGE))
		return NULL;
	memset(p, 0, PAGE);                 /* present and ours before we ask */
	if (MemPhys_r(p, PAGE, pa) != (long)PAGE) {
		free(p);
		return NULL;
	}
	return p;
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

	d->ring = dma_page(&d->ring_pa);
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
	uint8_t *req = dma_page(&d->hdr_pa);

	if (!req)
		return fail(d, "no memory for requests");
	d->hdr = (struct virtio_blk_req *)req;
	d->status = req + sizeof *d->hdr;
	d->status_pa = d->hdr_pa + sizeof *d->hdr;
	if (posix_memalign((void **)&d->bounce, PAGE, BOUNCE_BYTES))
		return fail(d, "no memory for the bounce buffer");
	memset(d->bounce, 0, BOUNCE_BYTES);
	for (unsigned i = 0; i < BOUNCE_PAGES; i++)
		if (MemPhys_r(d->bounce + i * PAGE, PAGE, &d->bounce_pa[i]) != (long)PAGE)
			return fail(d, "cannot find the bounce buffer's pages");
	return 0;
}

static int setup_interrupt(struct disk *d)
{
	struct sigevent ev;

	d->irq_chid = ChannelCreate_r(0);
	d->irq_coid = d->irq_chid >= 0 ? ConnectAttach_r(0, 0, d->irq_chid, _NTO_SIDE_CHANNEL, 0) : -1;
	if (d->irq_coid < 0)
		return fail(d, "cannot make the interrupt channel");
	SIGEV_PULSE_INIT(&ev, d->irq_coid, SIGEV_PULSE_PRIO_INHERIT, PULSE_IRQ, 0);
	d->intr_id = InterruptAttachEvent_r(d->irq, &ev, _NTO_INTR_FLAGS_TRK_MSK);
	if (d->intr_id < 0)
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
	d->ro = want & (1ull << VIRTIO_BLK_F_RO);
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
	d->sectors = rd(d, VMMIO_CONFIG) | (uint64_t)rd(d, VMMIO_CONFIG + 4) << 32;
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
	struct _pulse p;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (now >= deadline)
		return ETIMEDOUT;
	uint64_t left = deadline - now;
	TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &left, NULL);
	int r = MsgReceivePulse_r(d->irq_chid, &p, sizeof p, NULL);
	if (r == -ETIMEDOUT)
		return ETIMEDOUT;
	if (r >= 0 && p.code == PULSE_IRQ) {
		wr(d, VMMIO_INTERRUPT_ACK, rd(d, VMMIO_INTERRUPT_STATUS));
		InterruptUnmask_r(d->irq, d->intr_id);
	}
	return 0;
}

/* One request: type at sector, for nsec sectors of the bounce buffer (0 for
 * a flush).  Under d->lock.  0 or an errno. */
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

	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t deadline = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + IO_TIMEOUT_NS;
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

/* Moves sectors [sector, sector + nsec) of the disk to or from the start of
 * the bounce buffer; nsec is at most what the buffer holds.  Under d->lock. */
static int transfer(struct disk *d, bool write, uint64_t sector, unsigned nsec)
{
	return request(d, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, nsec);
}

/* ---- the GPT ----------------------------------------------------------------------- */

static int gpt_rd(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct disk *d = ctx;
	unsigned per = d->bounce_pages * (PAGE / SECTOR);

	while (count) {
		unsigned n = count < per ? count : per;
		if (transfer(d, false, lba, n))
			return -1;
		memcpy(buf, d->bounce, (size_t)n * SECTOR);
		buf = (uint8_t *)buf + (size_t)n * SECTOR;
		lba += n;
		count -= n;
	}
	return 0;
}

/* ---- the resource manager ------------------------------------------------------------ */

static struct bdev *bdev_of(const iofunc_ocb_t *ocb)
{
	return ocb->attr->data;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Reads or writes nbytes at the open's offset, in bounce-buffer pieces. */
static int rw(resmgr_context_t *ctp, iofunc_ocb_t *ocb, uint64_t nbytes, bool write)
{
	struct bdev *b = bdev_of(ocb);
	struct disk *d = b->disk;
	uint64_t size = b->count * SECTOR, off = (uint64_t)ocb->offset, done = 0;
	unsigned per = d->bounce_pages * (PAGE / SECTOR);
	int err = 0;

	if (ocb->offset < 0)
		return EINVAL;
	if (off >= size || nbytes == 0) {
		if (write && nbytes)
			return ENOSPC;
		return resmgr_reply(ctp, 0, NULL, 0);
	}
	uint64_t left = min_u64(nbytes, size - off);
	pthread_mutex_lock(&d->lock);
	while (left) {
		uint64_t sec = off / SECTOR;
		size_t skip = (size_t)(off % SECTOR);
		unsigned nsec = (unsigned)min_u64((skip + left + SECTOR - 1) / SECTOR, per);
		size_t take = (size_t)min_u64(left, (uint64_t)nsec * SECTOR - skip);
		if (write) {
			bool partial = skip || (skip + take) % SECTOR;
			if (partial && (err = transfer(d, false, b->first + sec, nsec)))
				break;
			if (resmgr_msgread(ctp, d->bounce + skip, take, sizeof(struct _io_write) + done) !=
			    (long)take) {
				err = EFAULT;
				break;
			}
			if ((err = transfer(d, true, b->first + sec, nsec)))
				break;
		} else {
			if ((err = transfer(d, false, b->first + sec, nsec)))
				break;
			if (MsgWrite_r(ctp->rcvid, d->bounce + skip, take, done) < 0) {
				err = EFAULT;
				break;
			}
		}
		off += take;
		left -= take;
		done += take;
	}
	pthread_mutex_unlock(&d->lock);
	if (done == 0 && err)
		return err;
	ocb->offset += (int64_t)done;
	if (write)
		b->attr.mtime_ns = b->attr.ctime_ns = iofunc_time_now();
	return resmgr_reply(ctp, (long)done, NULL, 0);
}

static int bdev_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	if ((ocb->ioflag & O_ACCMODE) == O_WRONLY)
		return EBADF;
	return rw(ctp, ocb, msg->nbytes, false);
}

static int bdev_write(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb)
{
	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (bdev_of(ocb)->disk->ro)
		return EROFS;
	return rw(ctp, ocb, msg->nbytes, true);
}

static int bdev_sync(resmgr_context_t *ctp, const struct _io_sync *msg, iofunc_ocb_t *ocb)
{
	struct disk *d = bdev_of(ocb)->disk;
	int err = 0;

	(void)ctp;
	(void)msg;
	if (!d->can_flush)
		return d->broken ? EIO : 0;       /* no volatile cache: written is durable */
	pthread_mutex_lock(&d->lock);
	err = request(d, VIRTIO_BLK_T_FLUSH, 0, 0);
	pthread_mutex_unlock(&d->lock);
	return err;
}

static void *serve(void *arg)
{
	resmgr_loop(arg);
	fprintf(stderr, "devb-virtio: a server thread stopped: %s\n", strerror(errno));
	return NULL;
}

static int publish(struct disk *d, uint64_t first, uint64_t count, const char *path)
{
	static const resmgr_io_funcs_t io = { .read = bdev_read, .write = bdev_write, .sync = bdev_sync };
	struct bdev *b;
	pthread_t t;

	if (nbdevs == sizeof bdevs / sizeof bdevs[0])
		return -1;
	b = &bdevs[nbdevs++];
	b->disk = d;
	b->first = first;
	b->count = count;
	snprintf(b->path, sizeof b->path, "%s", path);
	iofunc_attr_init(&b->attr, S_IFBLK | 0600);
	b->attr.nbytes = (int64_t)(count * SECTOR);
	b->attr.atime_ns = b->attr.mtime_ns = b->attr.ctime_ns = iofunc_time_now();
	b->attr.data = b;
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT);
	resmgr_t *m = chid >= 0 ? resmgr_create(chid, NULL, &io, &b->attr) : NULL;
	if (!m || pthread_create(&t, NULL, serve, m) || resmgr_attach(m, path, _FTYPE_ANY, 0) < 0) {
		fprintf(stderr, "devb-virtio: cannot serve %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Publishes the partitions the disk's GPT names, then the disk itself:
 * once /dev/vblk<N> opens, its partitions do too. */
static int publish_disk(struct disk *d)
{
	static struct gpt_disk g;           /* large: not on the stack */
	char disk[32], path[40];

	snprintf(disk, sizeof disk, "/dev/vblk%u", d->index);
	pthread_mutex_lock(&d->lock);
	int r = gpt_read(gpt_rd, d, SECTOR, d->sectors, &g);
	pthread_mutex_unlock(&d->lock);
	if (r) {
		printf("devb-virtio: %s: %llu sectors%s, no partitions (%s)\n", disk,
		       (unsigned long long)d->sectors, d->ro ? ", read-only" : "", gpt_strerror(r));
	} else {
		printf("devb-virtio: %s: %llu sectors%s, %u partition%s%s\n", disk,
		       (unsigned long long)d->sectors, d->ro ? ", read-only" : "", g.nparts,
		       g.nparts == 1 ? "" : "s",
		       g.used_backup ? " (the primary table is bad: read from the backup)" : "");
		for (unsigned i = 0; i < g.nparts && i < PARTS_MAX; i++) {
			const struct gpt_part *p = &g.parts[i];
			snprintf(path, sizeof path, "%sp%u", disk, g.index[i] + 1);
			if (publish(d, p->first_lba, p->last_lba - p->first_lba + 1, path))
				return -1;
		}
	}
	return publish(d, 0, d->sectors, disk);
}

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
		pthread_mutex_init(&d->lock, NULL);
		if (d->version != 1 && d->version != 2) {
			fprintf(stderr, "devb-virtio: vblk%u: unknown virtio-mmio version %u\n",
				d->index, d->version);
			continue;
		}
		if (bring_up(d))
			return -1;
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
		if (publish_disk(&disks[i]))
			return 1;
	fflush(stdout);
	for (;;) {
		struct timespec hour = { 3600, 0 };
		nanosleep(&hour, NULL);
	}
}
