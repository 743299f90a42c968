/* blkdev: the published names of a block driver (see blkdev.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <keel/clock.h>
#include <keel/neutrino.h>
#include <keel/procmgr.h>
#include "blkdev.h"
#include "gpt.h"

#define PARTS_MAX       8u                  /* partitions published per disk */
/* Each disk's name and its partitions' (64 were too few for 8 disks of 8
 * partitions, and the driver of the eighth disk ended, every name gone). */
#define NAMES_MAX       (BLKDEV_DISKS_MAX * (1u + PARTS_MAX))

/* A published name: the whole disk or one partition. */
struct bdev {
	struct blkdisk *disk;
	uint64_t first, count;              /* blocks */
	iofunc_attr_t attr;
	char path[40];
};

static struct bdev bdevs[NAMES_MAX];
static unsigned nbdevs;

void *blkdev_dma_alloc(unsigned pages, uint64_t *pa)
{
	void *p = NULL;

	if (posix_memalign(&p, BLKDEV_PAGE, (size_t)pages * BLKDEV_PAGE))
		return NULL;
	memset(p, 0, (size_t)pages * BLKDEV_PAGE);      /* present and ours before we ask */
	for (unsigned i = 0; i < pages; i++)
		if (MemPhys_r((uint8_t *)p + (size_t)i * BLKDEV_PAGE, BLKDEV_PAGE, &pa[i]) !=
		    (long)BLKDEV_PAGE) {
			free(p);
			return NULL;
		}
	return p;
}

uint64_t blkdev_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int blkdev_irq_attach(int irq, int *chid, int *intr_id)
{
	struct sigevent ev;

	*chid = ChannelCreate_r(0);
	int coid = *chid >= 0 ? ConnectAttach_r(0, 0, *chid, _NTO_SIDE_CHANNEL, 0) : *chid;
	if (coid < 0)
		return -coid;
	SIGEV_PULSE_INIT(&ev, coid, SIGEV_PULSE_PRIO_INHERIT, BLKDEV_PULSE_IRQ, 0);
	*intr_id = InterruptAttachEvent_r(irq, &ev, _NTO_INTR_FLAGS_TRK_MSK);
	return *intr_id < 0 ? -*intr_id : 0;
}

int blkdev_wait_irq(int chid, uint64_t deadline)
{
	struct _pulse p;
	uint64_t now = blkdev_now_ns();

	if (now >= deadline)
		return ETIMEDOUT;
	uint64_t left = deadline - now;
	TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &left, NULL);
	int r = MsgReceivePulse_r(chid, &p, sizeof p, NULL);
	if (r == -ETIMEDOUT)
		return ETIMEDOUT;
	return r >= 0 && p.code == BLKDEV_PULSE_IRQ ? 0 : EINTR;
}

void blkdev_init(struct blkdisk *d)
{
	pthread_mutex_init(&d->lock, NULL);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static struct bdev *bdev_of(const iofunc_ocb_t *ocb)
{
	return ocb->attr->data;
}

/* The driver's two ways: start and finish a slot, or transfer through
 * the one bounce buffer (done when started). */
static int piece_start(struct blkdisk *d, unsigned slot, bool write, uint64_t blk, unsigned n)
{
	return d->ops->start ? d->ops->start(d, slot, write, blk, n) : d->ops->transfer(d, write, blk, n);
}

static int piece_finish(struct blkdisk *d, unsigned slot)
{
	return d->ops->start ? d->ops->finish(d, slot) : 0;
}

static int piece_sync(struct blkdisk *d, unsigned slot, bool write, uint64_t blk, unsigned n)
{
	int err = piece_start(d, slot, write, blk, n);
	return err ? err : piece_finish(d, slot);
}

static unsigned slots_of(const struct blkdisk *d)
{
	if (!d->ops->start || d->slots < 1)
		return 1;
	return d->slots < BLKDEV_SLOTS_MAX ? d->slots : BLKDEV_SLOTS_MAX;
}

/* A piece of a request: blocks [blk, blk + n) in a slot's bounce buffer,
 * `take` bytes of it from `skip` on, at byte `at` of the request. */
struct piece {
	uint64_t blk, at;
	size_t skip, take;
	unsigned n;
};

/* Starts piece p in `slot`: a write takes the client's bytes into the
 * bounce buffer first (after reading the blocks it covers only in part). */
static int piece_begin(resmgr_context_t *ctp, struct blkdisk *d, unsigned slot, bool write,
		       const struct piece *p)
{
	int err;

	if (!write)
		return piece_start(d, slot, false, p->blk, p->n);
	if ((p->skip || (p->skip + p->take) % d->block_size) &&
	    (err = piece_sync(d, slot, false, p->blk, p->n)))
		return err;
	if (resmgr_msgread(ctp, blkdisk_bounce(d, slot) + p->skip, p->take,
			   sizeof(struct _io_write) + p->at) != (long)p->take)
		return EFAULT;
	return piece_start(d, slot, true, p->blk, p->n);
}

/* Finishes piece p: a read hands its bytes to the client. */
static int piece_end(resmgr_context_t *ctp, struct blkdisk *d, unsigned slot, bool write,
		     const struct piece *p)
{
	int err = piece_finish(d, slot);

	if (err || write)
		return err;
	return MsgWrite_r(ctp->rcvid, blkdisk_bounce(d, slot) + p->skip, p->take, p->at) < 0 ? EFAULT : 0;
}

/* Reads or writes nbytes at the open's offset in pieces, up to one per
 * slot in flight; replies with the bytes of the pieces before the first
 * that failed, or that error when there are none. */
static int rw(resmgr_context_t *ctp, iofunc_ocb_t *ocb, uint64_t nbytes, bool write)
{
	struct bdev *b = bdev_of(ocb);
	struct blkdisk *d = b->disk;
	uint32_t bs = d->block_size;
	uint64_t size = b->count * bs, off = (uint64_t)ocb->offset, done = 0, at = 0;
	struct piece q[BLKDEV_SLOTS_MAX];
	unsigned slots = slots_of(d), head = 0, busy = 0;
	int err = 0, late = 0;              /* the first piece that failed; a start that failed */

	if (ocb->offset < 0)
		return EINVAL;
	if (off >= size || nbytes == 0)
		return write && nbytes ? ENOSPC : resmgr_reply(ctp, 0, NULL, 0);
	uint64_t left = min_u64(nbytes, size - off);
	pthread_mutex_lock(&d->lock);
	while ((left && !err && !late) || busy) {
		if (left && !err && !late && busy < slots) {
			unsigned slot = (head + busy) % slots;
			struct piece *p = &q[slot];
			p->skip = (size_t)(off % bs);
			p->n = (unsigned)min_u64((p->skip + left + bs - 1) / bs, d->bounce_blocks);
			p->take = (size_t)min_u64(left, (uint64_t)p->n * bs - p->skip);
			p->blk = b->first + off / bs;
			p->at = at;
			late = piece_begin(ctp, d, slot, write, p);
			if (!late) {
				busy++;
				off += p->take;
				at += p->take;
				left -= p->take;
			}
			continue;
		}
		int e = piece_end(ctp, d, head, write, &q[head]);
		if (e && !err)
			err = e;
		if (!err)
			done += q[head].take;
		head = (head + 1) % slots;
		busy--;
	}
	pthread_mutex_unlock(&d->lock);
	if (!err)
		err = late;                     /* it came after every piece that was started */
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
	struct blkdisk *d = bdev_of(ocb)->disk;
	int err = 0;

	(void)ctp;
	(void)msg;
	if (!d->ops->flush)
		return 0;                   /* no volatile cache: written is durable */
	pthread_mutex_lock(&d->lock);
	err = d->ops->flush(d);
	pthread_mutex_unlock(&d->lock);
	return err;
}

static void *serve(void *arg)
{
	resmgr_loop(arg);
	fprintf(stderr, "blkdev: a server thread stopped: %s\n", strerror(errno));
	return NULL;
}

static int publish_name(struct blkdisk *d, uint64_t first, uint64_t count, const char *path)
{
	static const resmgr_io_funcs_t io = { .read = bdev_read, .write = bdev_write, .sync = bdev_sync };
	struct bdev *b;
	pthread_t t;

	if (nbdevs == NAMES_MAX) {
		fprintf(stderr, "%s: too many names: %s not published\n", d->driver, path);
		return -1;
	}
	b = &bdevs[nbdevs++];
	b->disk = d;
	b->first = first;
	b->count = count;
	snprintf(b->path, sizeof b->path, "%s", path);
	iofunc_attr_init(&b->attr, S_IFBLK | 0600);
	b->attr.nbytes = (int64_t)(count * d->block_size);
	b->attr.atime_ns = b->attr.mtime_ns = b->attr.ctime_ns = iofunc_time_now();
	b->attr.data = b;
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);
	resmgr_t *m = chid >= 0 ? resmgr_create(chid, NULL, &io, &b->attr) : NULL;
	if (!m || pthread_create(&t, NULL, serve, m) || resmgr_attach(m, path, _FTYPE_ANY, 0) < 0) {
		fprintf(stderr, "%s: cannot serve %s: %s\n", d->driver, path, strerror(errno));
		return -1;
	}
	return 0;
}

/* gpt_read's block reader: through the bounce buffer, under d->lock. */
static int gpt_rd(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct blkdisk *d = ctx;

	while (count) {
		unsigned n = count < d->bounce_blocks ? count : d->bounce_blocks;
		if (piece_sync(d, 0, false, lba, n))
			return -1;
		memcpy(buf, blkdisk_bounce(d, 0), (size_t)n * d->block_size);
		buf = (uint8_t *)buf + (size_t)n * d->block_size;
		lba += n;
		count -= n;
	}
	return 0;
}

int blkdev_publish(struct blkdisk *d)
{
	static struct gpt_disk g;           /* large: not on the stack */
	char disk[24], path[40];
	const char *ro = d->ro ? ", read-only" : "";

	snprintf(disk, sizeof disk, "/dev/%s", d->name);
	pthread_mutex_lock(&d->lock);
	int r = gpt_read(gpt_rd, d, d->block_size, d->blocks, &g);
	pthread_mutex_unlock(&d->lock);
	if (r) {
		printf("%s: %s: %llu sectors%s, no partitions (%s)\n", d->driver, disk,
		       (unsigned long long)d->blocks, ro, gpt_strerror(r));
		return publish_name(d, 0, d->blocks, disk);
	}
	printf("%s: %s: %llu sectors%s, %u partition%s%s\n", d->driver, disk,
	       (unsigned long long)d->blocks, ro, g.nparts, g.nparts == 1 ? "" : "s",
	       g.used_backup ? " (the primary table is bad: read from the backup)" : "");
	for (unsigned i = 0; i < g.nparts && i < PARTS_MAX; i++) {
		const struct gpt_part *p = &g.parts[i];
		snprintf(path, sizeof path, "%sp%u", disk, g.index[i] + 1);
		if (publish_name(d, p->first_lba, p->last_lba - p->first_lba + 1, path))
			return -1;
	}
	return publish_name(d, 0, d->blocks, disk);
}

void blkdev_serve_forever(void)
{
	fflush(stdout);
	for (;;) {
		struct timespec hour = { 3600, 0 };
		nanosleep(&hour, NULL);
	}
}
