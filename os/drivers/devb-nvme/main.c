/* devb-nvme: the block driver for NVM Express controllers on PCIe (QEMU's
 * `-device nvme`, the Unmatched's M.2 slot).
 *
 * It asks pci-server (/dev/pci, <keel/pcimsg.h>) for the first function
 * of class 01:08:02 and makes it its own, maps its BAR0 (init grants a PCI
 * driver the host's windows), resets and enables the controller, identifies it and namespace 1, makes
 * one I/O queue pair and publishes /dev/nvme0n1 and its GPT partitions
 * /dev/nvme0n1p<M> through os/lib/blkdev.c (byte-offset read and write
 * through the bounce buffer, fsync, GPT).
 *
 * Queues: the admin pair (ADMIN_DEPTH entries) and one I/O pair of
 * IO_DEPTH entries (less if the controller's CAP.MQES says so).  blkdev
 * gets SLOTS bounce buffers of SLOT_PAGES pages and starts a command in
 * each before it waits for the first (os/lib/blkdev.h), so one large read
 * or write has up to SLOTS commands in flight; one more slot serves
 * flushes.  The slots are never more than the I/O queue holds.  Each new
 * high of commands in flight (submitted and not yet seen complete) from 8
 * on is said on stdout.  A command covers up to SLOT_PAGES pages (less if
 * MDTS says so): PRP1 is the first page, PRP2 the second or, over two
 * pages, the slot's PRP list.
 *
 * Completions: the controller's INTx line (the device tree's
 * interrupt-map says which PLIC source) arrives as a pulse; the waiting
 * thread consumes completion entries by their phase bit, moves the CQ
 * head doorbell, then unmasks the line (it is level-triggered: unmasking
 * before the head moves would fire again at once).  Without a routed line
 * it polls.  A completion is matched to its slot by the command id; one
 * for another slot than the one waited for is kept for that slot.  An I/O
 * command not answered in IO_TIMEOUT_NS is said on stderr; the controller
 * is reset (disabled, its queues emptied, enabled, the I/O pair made
 * again) and every command it had not answered is submitted again, the
 * late one up to IO_RETRIES times: reads, writes and flushes may run
 * twice.  A reset that
 * fails, a command still unanswered after its retries, or an admin command
 * unanswered take the controller out of service (every later request
 * fails with EIO, the names stay served).  An error status is said with
 * its code and fails the request with EIO.
 *
 * Options: -L N loses the Nth I/O command, as a controller that drops a
 * command would: it goes to the controller under an id no slot waits for
 * (not rung alone: the next command's doorbell would take it along), so
 * its slot never sees an answer.  For the test of the reset
 * (tests/target/nvme-reset-check), never for service.
 *
 * Exit status: 0 when there is no PCIe host or no NVMe controller
 * (nothing to drive: init does not start it again), 1 when the controller
 * could not be brought up or the options are wrong; otherwise it serves
 * until killed. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include "blkdev.h"
#include "nvme.h"
#include "pci_client.h"

#define BAR_VA          0x3100000000ul
#define PAGE            BLKDEV_PAGE
#define ADMIN_DEPTH     16u
#define IO_DEPTH        64u                 /* a page of 64-byte entries */
#define SLOTS           48u                 /* I/O commands in flight at most */
#define SLOT_PAGES      8u                  /* 32 KiB a command */
#define FLUSH_SLOT      SLOTS               /* io_slot[SLOTS]: flushes */
#define PRP_LIST_BYTES  (SLOT_PAGES * 8u)   /* a slot's PRP list: 64 of them fill a page */
#define INFLIGHT_SAID   8u                  /* highs from here on are said */

_Static_assert(SLOTS + 2 <= IO_DEPTH, "the slots and a flush fit in the I/O queue");
_Static_assert(SLOTS * PRP_LIST_BYTES <= BLKDEV_PAGE, "the slots' PRP lists fit in a page");
#define IO_TIMEOUT_NS   10000000000ull
#define IO_RETRIES      2u                  /* resets and submissions again per command */
#define POLL_NS         20000u
#define CLASS_NVME      0x010802u

struct queue {
	uint16_t qid, depth;
	struct nvme_cmd *sq;
	volatile struct nvme_cpl *cq;
	uint64_t sq_pa, cq_pa;
	uint16_t sq_tail, cq_head, next_cid;
	uint16_t phase;                     /* the phase bit a new entry carries */
};

/* One command of ours: what it was (to submit it again after a reset)
 * and how it ended. */
struct slot {
	struct nvme_cmd cmd;
	uint16_t cid, status;
	bool busy;                          /* submitted, not yet finished */
	bool done;                          /* its completion came */
	unsigned tries;
	uint64_t deadline;
};

struct ctrl {
	struct blkdisk blk;
	volatile uint8_t *regs;
	uint64_t cap;
	unsigned dstrd;
	int irq, chid, intr_id;             /* irq: INTx line, 0 polling, -1 MSI */
	bool masked;                        /* the line fired and is not unmasked yet */
	bool broken, vwc;
	unsigned max_pages;                 /* per transfer */
	struct queue admin, io;
	struct slot admin_slot, io_slot[SLOTS + 1];
	unsigned inflight, high;            /* I/O commands submitted and not seen complete */
	uint8_t *ident;                     /* a page for Identify data */
	uint64_t ident_pa;
	uint64_t *prp_lists;                /* slot i's at PRP_LIST_BYTES * i */
	uint64_t prp_lists_pa;
	uint64_t bounce_pa[SLOTS * SLOT_PAGES];
};

static int pci_fd = -1;                    /* our open of pci-server */
static struct ctrl ctrl;
static unsigned long lose_io;               /* -L: the I/O command lost (0: none) */
static unsigned long io_submitted;

/* ---- registers -------------------------------------------------------------- */

static uint32_t rd32(const struct ctrl *c, unsigned off)
{
	return *(volatile uint32_t *)(c->regs + off);
}

static void wr32(struct ctrl *c, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(c->regs + off) = v;
}

static uint64_t rd64(const struct ctrl *c, unsigned off)
{
	return rd32(c, off) | (uint64_t)rd32(c, off + 4) << 32;
}

static void wr64(struct ctrl *c, unsigned off, uint64_t v)
{
	wr32(c, off, (uint32_t)v);
	wr32(c, off + 4, (uint32_t)(v >> 32));
}

/* Orders our stores to the queues against the doorbell writes that
 * follow, and the controller's stores against our loads. */
static inline void io_fence(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

static void doorbell(struct ctrl *c, const struct queue *q, bool cq, uint16_t v)
{
	wr32(c, NVME_DOORBELL + (2u * q->qid + cq) * (4u << c->dstrd), v);
}

static int fail(const char *what)
{
	fprintf(stderr, "devb-nvme: nvme0: %s\n", what);
	return -1;
}

static void nap(unsigned ns)
{
	struct timespec ts = { 0, (long)ns };
	nanosleep(&ts, NULL);
}

/* ---- commands ----------------------------------------------------------------- */

/* Unmasks the line once the completions that raised it are consumed. */
static void irq_done(struct ctrl *c)
{
	if (c->masked && c->irq > 0) {          /* an MSI needs no unmask: pci-server acked it */
		c->masked = false;
		InterruptUnmask_r(c->irq, c->intr_id);
	}
}

/* Takes the entry at the CQ head if the controller has written it: true
 * and *out, the head doorbell moved. */
static bool cq_take(struct ctrl *c, struct queue *q, struct nvme_cpl *out)
{
	io_fence();
	if ((q->cq[q->cq_head].status & 1u) != q->phase)
		return false;
	*out = q->cq[q->cq_head];
	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->phase ^= 1u;
	}
	io_fence();
	doorbell(c, q, true, q->cq_head);
	return true;
}

static const char *op_name(const struct queue *q, uint8_t op)
{
	static const char *const admin[] = { [1] = "create SQ", [5] = "create CQ", [6] = "identify" };
	static const char *const io[] = { "flush", "write", "read" };

	if (q->qid == 0)
		return op < 7 && admin[op] ? admin[op] : "admin";
	return op < 3 ? io[op] : "I/O";
}

static int reset(struct ctrl *c);

/* Puts slot s's command on q under a new command id and rings the
 * doorbell (the I/O command -L names under another id). */
static void submit(struct ctrl *c, struct queue *q, struct slot *s)
{
	s->cid = q->next_cid++;
	s->busy = true;
	s->done = false;
	s->deadline = blkdev_now_ns() + IO_TIMEOUT_NS;
	q->sq[q->sq_tail] = s->cmd;
	q->sq[q->sq_tail].cdw0 = (uint32_t)s->cid << 16 | (s->cmd.cdw0 & 0xff);
	if (q->qid && ++io_submitted == lose_io)
		q->sq[q->sq_tail].cdw0 ^= 0x8000u << 16;        /* lost, as a test asked */
	if (++q->sq_tail == q->depth)
		q->sq_tail = 0;
	if (q->qid && ++c->inflight > c->high) {
		c->high = c->inflight;
		if (c->high >= INFLIGHT_SAID && !(c->high & (c->high - 1)))
			printf("devb-nvme: nvme0: %u commands in flight (a new high)\n", c->high);
	}
	io_fence();
	doorbell(c, q, false, q->sq_tail);
}

/* The slot of q whose command has this id and is not yet done. */
static struct slot *slot_of(struct ctrl *c, struct queue *q, uint16_t cid)
{
	if (q->qid == 0)
		return c->admin_slot.busy && !c->admin_slot.done && c->admin_slot.cid == cid ?
		       &c->admin_slot : NULL;
	for (unsigned i = 0; i <= SLOTS; i++)
		if (c->io_slot[i].busy && !c->io_slot[i].done && c->io_slot[i].cid == cid)
			return &c->io_slot[i];
	return NULL;
}

/* Takes every completion the controller has written into its slot. */
static void reap(struct ctrl *c, struct queue *q)
{
	struct nvme_cpl cpl;

	while (cq_take(c, q, &cpl)) {
		struct slot *s = slot_of(c, q, cpl.cid);
		if (!s) {
			fprintf(stderr, "devb-nvme: nvme0: a completion for command %u, which is "
				"not waited for: ignored\n", cpl.cid);
			continue;
		}
		s->done = true;
		s->status = cpl.status;
		if (q->qid)
			c->inflight--;
	}
}

/* Waits for slot s's completion: 0, or ETIMEDOUT at its deadline. */
static int wait_slot(struct ctrl *c, struct queue *q, struct slot *s)
{
	for (;;) {
		reap(c, q);
		irq_done(c);
		if (s->done)
			return 0;
		if (c->irq == 0) {
			if (blkdev_now_ns() >= s->deadline)
				return ETIMEDOUT;
			nap(POLL_NS);
		} else {
			int r = blkdev_wait_irq(c->chid, s->deadline);
			if (r == 0)
				c->masked = true;
			else if (r == ETIMEDOUT) {
				reap(c, q);
				return s->done ? 0 : ETIMEDOUT;
			}
		}
	}
}

/* After a reset: every I/O command not yet answered goes again.  Says
 * how many. */
static void resubmit(struct ctrl *c)
{
	unsigned n = 0;

	c->inflight = 0;
	for (unsigned i = 0; i <= SLOTS; i++)
		if (c->io_slot[i].busy && !c->io_slot[i].done) {
			submit(c, &c->io, &c->io_slot[i]);
			n++;
		}
	fprintf(stderr, "devb-nvme: nvme0: the controller is reset; %u command%s submitted again\n",
		n, n == 1 ? "" : "s");
}

/* Ends slot s's command: 0, or EIO (said on stderr).  An I/O command not
 * answered in time resets the controller, and the commands go again. */
static int finish(struct ctrl *c, struct queue *q, struct slot *s)
{
	uint8_t op = (uint8_t)s->cmd.cdw0;

	while (!c->broken && wait_slot(c, q, s)) {
		bool again = q->qid && s->tries++ < IO_RETRIES;
		fprintf(stderr, "devb-nvme: nvme0: no answer to a %s command in %llu s "
			"(status %#x); %s\n", op_name(q, op),
			(unsigned long long)(IO_TIMEOUT_NS / 1000000000u), rd32(c, NVME_CSTS),
			again ? "resetting the controller to submit it again" :
				"the controller is out of service");
		if (!again || reset(c))
			c->broken = true;
		else
			resubmit(c);
	}
	s->busy = false;
	if (!s->done)
		return EIO;                     /* out of service */
	unsigned sf = s->status >> 1;
	if (sf) {
		fprintf(stderr, "devb-nvme: nvme0: %s failed: status type %u code %#x\n",
			op_name(q, op), sf >> 8 & 7, sf & 0xff);
		return EIO;
	}
	return 0;
}

/* Submits cmd through slot s of q and waits for it: 0 or EIO. */
static int run(struct ctrl *c, struct queue *q, struct slot *s, const struct nvme_cmd *cmd)
{
	if (c->broken)
		return EIO;
	s->cmd = *cmd;
	s->tries = 0;
	submit(c, q, s);
	return finish(c, q, s);
}

/* ---- bring-up ------------------------------------------------------------------- */

/* A queue pair, empty (its pages made at the first call, emptied at a
 * reset's). */
static int queue_init(struct queue *q, uint16_t qid, uint16_t depth)
{
	q->qid = qid;
	q->depth = depth;
	if (!q->sq)
		q->sq = blkdev_dma_alloc(1, &q->sq_pa);
	if (!q->cq)
		q->cq = blkdev_dma_alloc(1, &q->cq_pa);
	if (!q->sq || !q->cq)
		return -1;
	memset((void *)q->sq, 0, PAGE);
	memset((void *)q->cq, 0, PAGE);
	q->sq_tail = q->cq_head = 0;
	q->phase = 1;
	return 0;
}

/* Waits for CSTS.RDY to become `rdy` within CAP.TO: 0 or -1. */
static int wait_ready(struct ctrl *c, bool rdy)
{
	uint64_t deadline = blkdev_now_ns() + (NVME_CAP_TO(c->cap) + 1) * 500000000ull;

	for (;;) {
		uint32_t st = rd32(c, NVME_CSTS);
		if (st == 0xffffffffu)
			return fail("the controller does not answer (CSTS reads all ones)");
		if (rdy && (st & NVME_CSTS_CFS))
			return fail("the controller reports a fatal status while enabling");
		if (!!(st & NVME_CSTS_RDY) == rdy)
			return 0;
		if (blkdev_now_ns() >= deadline)
			return fail(rdy ? "the controller did not become ready in CAP.TO"
					: "the controller did not stop in CAP.TO");
		nap(1000000);
	}
}

/* Reset (CC.EN = 0), the admin queue, enable (NVMe 1.4, 7.6.1). */
static int enable(struct ctrl *c)
{
	c->cap = rd64(c, NVME_CAP);
	c->dstrd = NVME_CAP_DSTRD(c->cap);
	if (!NVME_CAP_CSS_NVM(c->cap))
		return fail("the controller does not support the NVM command set");
	if (NVME_CAP_MPSMIN(c->cap) != 0)
		return fail("the controller does not take 4 KiB pages");
	wr32(c, NVME_CC, rd32(c, NVME_CC) & ~NVME_CC_EN);
	if (wait_ready(c, false))
		return -1;
	unsigned io_depth = NVME_CAP_MQES(c->cap) < IO_DEPTH ? NVME_CAP_MQES(c->cap) : IO_DEPTH;
	if (io_depth < 3 || queue_init(&c->admin, 0, ADMIN_DEPTH) ||
	    queue_init(&c->io, 1, (uint16_t)io_depth))
		return fail("no memory for the queues, or queues too small");
	wr32(c, NVME_AQA, (ADMIN_DEPTH - 1) << 16 | (ADMIN_DEPTH - 1));
	wr64(c, NVME_ASQ, c->admin.sq_pa);
	wr64(c, NVME_ACQ, c->admin.cq_pa);
	wr32(c, NVME_CC, NVME_CC_IOCQES | NVME_CC_IOSQES | NVME_CC_EN);   /* NVM, 4 KiB pages */
	return wait_ready(c, true);
}

static int identify(struct ctrl *c, uint32_t cns, uint32_t nsid)
{
	struct nvme_cmd cmd = { .cdw0 = NVME_ADM_IDENTIFY, .nsid = nsid, .prp1 = c->ident_pa,
				.cdw10 = cns };

	memset(c->ident, 0, PAGE);
	return run(c, &c->admin, &c->admin_slot, &cmd);
}

/* Identify Controller: the name, the transfer limit, the write cache. */
static int identify_controller(struct ctrl *c)
{
	char serial[21], model[41];

	if (identify(c, NVME_CNS_CONTROLLER, 0))
		return fail("Identify Controller failed");
	memcpy(serial, c->ident + NVME_IDC_SERIAL, 20);
	memcpy(model, c->ident + NVME_IDC_MODEL, 40);
	serial[20] = model[40] = 0;
	for (int i = 19; i >= 0 && serial[i] == ' '; i--)
		serial[i] = 0;
	for (int i = 39; i >= 0 && model[i] == ' '; i--)
		model[i] = 0;
	unsigned mdts = c->ident[NVME_IDC_MDTS];
	c->max_pages = SLOT_PAGES;
	if (mdts && mdts < 16 && (1u << mdts) < c->max_pages)
		c->max_pages = 1u << mdts;
	c->vwc = c->ident[NVME_IDC_VWC] & 1;
	uint32_t nn;
	memcpy(&nn, c->ident + NVME_IDC_NN, 4);
	printf("devb-nvme: nvme0: %s (serial %s), NVMe %u.%u, %u namespace%s, %u KiB per transfer%s\n",
	       model, serial, rd32(c, NVME_VS) >> 16, rd32(c, NVME_VS) >> 8 & 0xff, nn,
	       nn == 1 ? "" : "s", c->max_pages * 4, c->vwc ? ", volatile write cache" : "");
	return nn ? 0 : fail("the controller has no namespace");
}

/* Identify Namespace 1: its size and block size. */
static int identify_namespace(struct ctrl *c)
{
	uint64_t nsze;
	uint32_t lbaf;

	if (identify(c, NVME_CNS_NAMESPACE, 1))
		return fail("Identify Namespace 1 failed");
	memcpy(&nsze, c->ident + NVME_IDN_NSZE, 8);
	memcpy(&lbaf, c->ident + NVME_IDN_LBAF + 4 * (c->ident[NVME_IDN_FLBAS] & 0xf), 4);
	unsigned lbads = lbaf >> 16 & 0xff;
	if (nsze == 0)
		return fail("namespace 1 is not active");
	if (lbads < 9 || lbads > 12)
		return fail("namespace 1's block size is not 512 to 4096 bytes");
	c->blk.blocks = nsze;
	c->blk.block_size = 1u << lbads;
	return 0;
}

/* The I/O queue pair: its CQ with interrupts on, then its SQ. */
static int create_io_queues(struct ctrl *c)
{
	struct queue *q = &c->io;
	struct nvme_cmd cq = { .cdw0 = NVME_ADM_CREATE_CQ, .prp1 = q->cq_pa,
			       .cdw10 = (uint32_t)(q->depth - 1) << 16 | q->qid,
			       .cdw11 = 1u << 1 | 1u };             /* interrupts on, contiguous */
	struct nvme_cmd sq = { .cdw0 = NVME_ADM_CREATE_SQ, .prp1 = q->sq_pa,
			       .cdw10 = (uint32_t)(q->depth - 1) << 16 | q->qid,
			       .cdw11 = (uint32_t)q->qid << 16 | 1u };

	if (run(c, &c->admin, &c->admin_slot, &cq) || run(c, &c->admin, &c->admin_slot, &sq))
		return fail("cannot create the I/O queues");
	return 0;
}

/* After a command went unanswered: the controller disabled and enabled
 * again with empty queues, and its I/O pair made again (NVMe 1.4, 7.3.2:
 * a controller reset drops every outstanding command).  0 or -1 (said). */
static int reset(struct ctrl *c)
{
	if (enable(c) || create_io_queues(c))
		return fail("the reset did not bring the controller back");
	return 0;
}

/* ---- blkdev's operations ----------------------------------------------------------- */

/* Starts the move of n blocks between the namespace and slot i's bounce
 * buffer. */
static int start(struct blkdisk *b, unsigned i, bool write, uint64_t block, unsigned n)
{
	struct ctrl *c = b->priv;
	unsigned pages = (unsigned)(((uint64_t)n * b->block_size + PAGE - 1) / PAGE);
	/* Slot i's pages where blkdev has them: its bounce buffers are
	 * bounce_blocks (max_pages of pages) apart, fewer than SLOT_PAGES on a
	 * controller whose MDTS is smaller (before, the controller moved slot
	 * i's data through another slot's pages). */
	const uint64_t *pa = &c->bounce_pa[i * c->max_pages];
	struct slot *s = &c->io_slot[i];

	if (n == 0 || pages > c->max_pages || i >= SLOTS || s->busy)
		return EINVAL;
	if (c->broken)
		return EIO;
	s->cmd = (struct nvme_cmd){ .cdw0 = write ? NVME_IO_WRITE : NVME_IO_READ, .nsid = 1,
				    .prp1 = pa[0], .cdw10 = (uint32_t)block,
				    .cdw11 = (uint32_t)(block >> 32), .cdw12 = n - 1 };
	if (pages == 2)
		s->cmd.prp2 = pa[1];
	else if (pages > 2) {
		uint64_t *list = c->prp_lists + i * (PRP_LIST_BYTES / 8);
		for (unsigned k = 1; k < pages; k++)
			list[k - 1] = pa[k];
		s->cmd.prp2 = c->prp_lists_pa + i * PRP_LIST_BYTES;
	}
	s->tries = 0;
	submit(c, &c->io, s);
	return 0;
}

static int finish_slot(struct blkdisk *b, unsigned i)
{
	struct ctrl *c = b->priv;

	if (i >= SLOTS || !c->io_slot[i].busy)
		return EINVAL;
	return finish(c, &c->io, &c->io_slot[i]);
}

static int flush(struct blkdisk *b)
{
	struct ctrl *c = b->priv;
	struct nvme_cmd cmd = { .cdw0 = NVME_IO_FLUSH, .nsid = 1 };

	return run(c, &c->io, &c->io_slot[FLUSH_SLOT], &cmd);
}

static const struct blkdev_ops nvme_ops = { .flush = flush, .start = start, .finish = finish_slot };
static const struct blkdev_ops nvme_ops_no_cache = { .start = start, .finish = finish_slot };

/* ---- start ----------------------------------------------------------------------- */

static int setup_memory(struct ctrl *c)
{
	c->ident = blkdev_dma_alloc(1, &c->ident_pa);
	c->prp_lists = blkdev_dma_alloc(1, &c->prp_lists_pa);
	c->blk.bounce = blkdev_dma_alloc(SLOTS * SLOT_PAGES, c->bounce_pa);
	return c->ident && c->prp_lists && c->blk.bounce ? 0 : fail("no memory for DMA buffers");
}

/* A message-signalled interrupt through pci-server, as the pulse INTx
 * would send (the FU740's host has an MSI controller): 0, or ENOTSUP (QEMU
 * virt's has none: INTx then) or pci-server's error. */
static int attach_msi(struct ctrl *c, const struct _pci_info *f)
{
	struct sigevent ev;
	int chid = ChannelCreate_r(0), vector;
	int coid = chid >= 0 ? ConnectAttach_r(0, 0, chid, _NTO_SIDE_CHANNEL, 0) : chid;

	if (coid < 0)
		return -coid;
	SIGEV_PULSE_INIT(&ev, coid, SIGEV_PULSE_PRIO_INHERIT, BLKDEV_PULSE_IRQ, 0);
	int r = pci_client_msi_attach(pci_fd, f->bdf, &ev, &vector);
	if (r) {
		ConnectDetach_r(coid);
		ChannelDestroy_r(chid);
		return r;
	}
	c->chid = chid;
	c->irq = -1;
	return 0;
}

static int bring_up(struct ctrl *c, const struct _pci_info *f)
{
	int r = pci_client_map_bar(f, 0, BAR_VA);

	if (r) {
		fprintf(stderr, "devb-nvme: nvme0: cannot map BAR0: %s\n", strerror(r));
		return -1;
	}
	c->regs = (volatile uint8_t *)BAR_VA;
	c->irq = (int)f->irq;
	if ((r = attach_msi(c, f)) == 0)
		printf("devb-nvme: nvme0: MSI\n");
	else if (r != ENOTSUP)
		return fail("pci-server refused MSI");
	else if (c->irq == 0)
		fprintf(stderr, "devb-nvme: nvme0: its INTx line is not routed: polling\n");
	else if (blkdev_irq_attach(c->irq, &c->chid, &c->intr_id))
		return fail("cannot attach its interrupt");
	if (setup_memory(c) || enable(c) || identify_controller(c) || identify_namespace(c) ||
	    create_io_queues(c))
		return -1;
	blkdev_init(&c->blk);
	c->blk.driver = "devb-nvme";
	snprintf(c->blk.name, sizeof c->blk.name, "nvme0n1");
	c->blk.bounce_blocks = c->max_pages * PAGE / c->blk.block_size;
	/* a queue of depth d holds d - 1 commands: the slots and a flush */
	c->blk.slots = c->io.depth - 2u < SLOTS ? c->io.depth - 2u : SLOTS;
	c->blk.ops = c->vwc ? &nvme_ops : &nvme_ops_no_cache;
	c->blk.priv = c;
	return 0;
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "L:")) != -1) {
		char *end;
		if (opt != 'L' || !(lose_io = strtoul(optarg, &end, 10)) || *end) {
			fprintf(stderr, "usage: devb-nvme [-L N]  (-L: lose the Nth I/O command, "
				"for a test)\n");
			return 1;
		}
	}
	struct _pci_info f;
	int r;

	if ((pci_fd = pci_client_open()) < 0) {
		fprintf(stderr, "devb-nvme: no PCI server (%s): %s\n", PCI_SERVER_PATH,
			strerror(errno));
		return 1;
	}
	if ((r = pci_client_find(pci_fd, _PCI_FIND_CLASS, CLASS_NVME, 0, &f)) == ENOENT) {
		printf("devb-nvme: no NVMe controller\n");
		return 0;
	}
	if (!r && (r = pci_client_attach(pci_fd, f.bdf)) == EBUSY)
		fprintf(stderr, "devb-nvme: nvme0 is another driver's\n");
	if (r) {
		fprintf(stderr, "devb-nvme: pci-server refused the controller: %s\n", strerror(r));
		return 1;
	}
	printf("devb-nvme: nvme0: %02x:%02x.%x %04x:%04x, BAR0 %#llx, INTx %s line %d\n",
	       f.bdf >> 8 & 0xff, f.bdf >> 3 & 0x1f, f.bdf & 7, f.vendor, f.device,
	       (unsigned long long)f.bar[0].cpu, f.pin ? "on" : "off", (int)f.irq);
	if (bring_up(&ctrl, &f) || blkdev_publish(&ctrl.blk))
		return 1;
	blkdev_serve_forever();
}
