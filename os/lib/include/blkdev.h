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
 * its operations need no locking of their own.  An operation's error
 * (an errno: EIO for a device that failed or did not answer) goes back
 * to the client; the server stays up. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct blkdisk;

struct blkdev_ops {
	/* Moves blocks [block, block + n) of the disk to (write false) or from
	 * (write true) the start of d->bounce; n <= d->bounce_blocks.  0 or an
	 * errno.  Called with d->lock held. */
	int (*transfer)(struct blkdisk *d, bool write, uint64_t block, unsigned n);
	/* Makes every completed write durable: 0 or an errno.  NULL when the
	 * device has no volatile cache.  Called with d->lock held. */
	int (*flush)(struct blkdisk *d);
};

struct blkdisk {
	/* set by the driver before blkdev_publish(), then read-only */
	const char *driver;                 /* for messages: "devb-nvme" */
	char name[16];                      /* "nvme0n1": the /dev name */
	uint32_t block_size;                /* bytes per block: 512 or 4096 */
	uint64_t blocks;
	bool ro;
	uint8_t *bounce;                    /* bounce_blocks * block_size bytes */
	unsigned bounce_blocks;
	const struct blkdev_ops *ops;
	void *priv;                         /* the driver's own device */
	/* held around every ops call */
	pthread_mutex_t lock;
};

/* ---- what drivers share besides the names -------------------------------------- */

#define BLKDEV_PAGE     4096u

/* `pages` zeroed pages of the caller's RAM, page-aligned, for the device
 * to read and write; pa[i] is page i's physical address (the pages need
 * not be contiguous).  NULL when out of memory or MemPhys refuses. */
void *blkdev_dma_alloc(unsigned pages, uint64_t *pa);

/* The monotonic clock in nanoseconds. */
uint64_t blkdev_now_ns(void);

/* A device's interrupt as a pulse on a channel of its own: 0 and *chid,
 * *intr_id (for InterruptUnmask), or an errno. */
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
