#pragma once
/* blkdev: what every Keel block driver publishes, written once.
 *
 * A driver brings its device up, fills a struct blkdisk (name, size, a
 * bounce buffer its device can reach, and two operations) and calls
 * blkdev_publish().  blkdev reads the disk's GUID partition table
 * (os/lib/gpt.c) and publishes, with the libc resmgr framework,
 *
 *   /dev/<name>          the whole disk
 *   /dev/<name>p<M>      partition M (its slot in the table, from 1)
 *
 * as block special files (owner root, mode 0600) with read, write, lseek,
 * stat and fsync.  Offsets and lengths may be any byte counts: a transfer
 * moves whole blocks through the bounce buffer, and a write that covers
 * part of a block reads it first.  fsync is ops->flush.  A disk without a
 * valid GPT is published whole, with a line saying why.  The partitions
 * are published before the disk: once /dev/<name> opens, they do too.
 *
 * Requests reach the driver one at a time per disk (the disk's lock), so
 * its operations need no locking of their own.  A driver whose device
 * queues commands gives blkdev `slots` bounce buffers and the start and
 * finish operations: a request is then cut into pieces of up to
 * bounce_blocks, and up to `slots` of them are started before the first
 * is finished, so one large read or write keeps that many commands in
 * flight.  Pieces finish in the order they started; a request's result is
 * the bytes of its pieces up to the first that failed.  An operation's
 * error (an errno: EIO for a device that failed or did not answer) goes
 * back to the client; the server stays up. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* The disks one driver serves at most (devb-virtio's, devb-nvme's). */
#define BLKDEV_DISKS_MAX 8u

struct blkdisk;

struct blkdev_ops {
	/* Moves blocks [block, block + n) of the disk to (write false) or from
	 * (write true) the start of d->bounce; n <= d->bounce_blocks.  0 or an
	 * errno.  Called with d->lock held.  Drivers with start and finish
	 * may leave it NULL. */
	int (*transfer)(struct blkdisk *d, bool write, uint64_t block, unsigned n);
	/* Makes every completed write durable: 0 or an errno.  NULL when the
	 * device has no volatile cache.  Called with d->lock held, with no
	 * transfer started and not finished. */
	int (*flush)(struct blkdisk *d);
	/* Starts the move of blocks [block, block + n) to or from the bounce
	 * buffer of `slot` (blkdisk_bounce): 0, or an errno and nothing
	 * started.  A slot is started again only after it was finished.
	 * Called with d->lock held.  NULL: transfer does it all. */
	int (*start)(struct blkdisk *d, unsigned slot, bool write, uint64_t block, unsigned n);
	/* Waits for the slot's move to end: 0 or an errno. */
	int (*finish)(struct blkdisk *d, unsigned slot);
};

struct blkdisk {
	/* set by the driver before blkdev_publish(), then read-only */
	const char *driver;                 /* for messages: "devb-nvme" */
	char name[16];                      /* "nvme0n1": the /dev name */
	uint32_t block_size;                /* bytes per block: 512 or 4096 */
	uint64_t blocks;
	bool ro;
	uint8_t *bounce;                    /* slots * bounce_blocks * block_size bytes */
	unsigned bounce_blocks;             /* per slot */
	unsigned slots;                     /* with start and finish: 1 to BLKDEV_SLOTS_MAX */
	const struct blkdev_ops *ops;
	void *priv;                         /* the driver's own device */
	/* held around every ops call */
	pthread_mutex_t lock;
};

/* ---- what drivers share besides the names -------------------------------------- */

#define BLKDEV_PAGE     4096u
#define BLKDEV_SLOTS_MAX 64u

/* Slot i's bounce buffer. */
static inline uint8_t *blkdisk_bounce(const struct blkdisk *d, unsigned slot)
{
	return d->bounce + (size_t)slot * d->bounce_blocks * d->block_size;
}

/* `pages` zeroed pages of the caller's RAM, page-aligned, for the device
 * to read and write; pa[i] is page i's physical address (the pages need
 * not be contiguous).  NULL when out of memory or MemPhys refuses. */
void *blkdev_dma_alloc(unsigned pages, uint64_t *pa);

/* The monotonic clock in nanoseconds. */
uint64_t blkdev_now_ns(void);

/* A device's interrupt as a pulse on a channel of its own: 0 and *chid,
 * *intr_id (for InterruptUnmask), or an errno.  The pulse's code is
 * BLKDEV_PULSE_IRQ (an interrupt a driver gets another way, as an MSI
 * through pci-server, uses it too, to be waited for alike). */
#define BLKDEV_PULSE_IRQ 1
int blkdev_irq_attach(int irq, int *chid, int *intr_id);

/* Waits for the interrupt pulse on chid until `deadline` (blkdev_now_ns
 * time): 0 when it came (the line stays masked until the caller's
 * InterruptUnmask), ETIMEDOUT, or EINTR for another pulse. */
int blkdev_wait_irq(int chid, uint64_t deadline);

/* Initializes d->lock; the driver then fills the rest. */
void blkdev_init(struct blkdisk *d);

/* Reads the disk's GPT and publishes it and its partitions.  Returns 0,
 * or -1 (said on stderr) when a name could not be served. */
int blkdev_publish(struct blkdisk *d);

/* Parks the calling thread for good: the names are served by threads of
 * their own.  Flushes stdout first so the published lines are seen. */
_Noreturn void blkdev_serve_forever(void);
