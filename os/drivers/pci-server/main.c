/* pci-server: the one owner of the machine's PCIe host (<keel/pcimsg.h>).
 *
 * At start it maps the host's configuration space, learns its windows and
 * INTx wiring from the device tree and enumerates (os/lib/pci_host.c,
 * pci.c: bridges, BARs placed, decoding on).  Then it serves
 * PCI_SERVER_PATH: a listing to read, and to drivers the functions by
 * class or ids, each function to one driver at a time (ATTACH, let go
 * when that open closes), and the configuration registers of the
 * functions a driver attached.  A driver maps its BARs and attaches its
 * INTx interrupt itself; on a host with an MSI controller (the FU740's
 * DesignWare core) it may ask for a message-signalled interrupt instead:
 * the server owns the controller's one interrupt and hands each vector
 * that fires to its driver as the event it gave.  No PCIe host: it says
 * so and ends 0 (nothing to serve), as the block drivers do. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <keel/neutrino.h>
#include <keel/pcimsg.h>
#include "pci_host.h"
#include "pci_msi_route.h"

#define ECAM_VA     0x0000002000000000ul       /* the configuration space's mapping */
#define LIST_MAX    8192

static struct pci_host host;
static const iofunc_ocb_t *owner[PCI_MAX_FUNCS];      /* the open driving each function */
static char listing[LIST_MAX];
static size_t listing_len;

/* MSI (a DesignWare host): who owns each vector, and what it is told. */
#define PULSE_MSI   1
static struct pci_msi_route route;
static int msi_intr = -1;               /* the controller's interrupt, attached */
static struct {
	int rcvid;                      /* the driver's thread that asked */
	struct sigevent event;
} msi_to[PCI_DW_MSI_VECTORS];

static int index_of(unsigned bdf)
{
	for (int i = 0; i < host.nfunc; i++)
		if (host.func[i].bdf == bdf)
			return i;
	return -1;
}

static void info_of(const struct pci_func *f, struct _pci_info *out)
{
	memset(out, 0, sizeof *out);
	out->bdf = f->bdf;
	out->vendor = f->vendor;
	out->device = f->device;
	out->class_code = f->class_code;
	out->irq = pci_host_irq(&host, f);
	out->header = f->header;
	out->pin = f->pin;
	out->enabled = f->enabled;
	for (int b = 0; b < PCI_MAX_BARS; b++)
		out->bar[b] = (struct _pci_bar_info){
			.cpu = f->bar[b].cpu, .size = f->bar[b].size,
			.flags = (f->bar[b].io ? _PCI_BAR_IO : 0) | (f->bar[b].is64 ? _PCI_BAR_64 : 0) |
				 (f->bar[b].prefetch ? _PCI_BAR_PREFETCH : 0) };
}

static void make_listing(void)
{
	size_t n = 0;

	for (int i = 0; i < host.nfunc && n < sizeof listing; i++) {
		const struct pci_func *f = &host.func[i];
		n += (size_t)snprintf(listing + n, sizeof listing - n, "%02x:%02x.%x %04x:%04x %06x %s irq %u",
				      PCI_BUS(f->bdf), PCI_DEV(f->bdf), PCI_FN(f->bdf), f->vendor,
				      f->device, f->class_code, pci_class_name(f->class_code),
				      pci_host_irq(&host, f));
		for (int b = 0; b < PCI_MAX_BARS && n < sizeof listing; b++)
			if (f->bar[b].size)
				n += (size_t)snprintf(listing + n, sizeof listing - n, " BAR%d %#llx+%#llx%s",
						      b, (unsigned long long)f->bar[b].cpu,
						      (unsigned long long)f->bar[b].size,
						      f->bar[b].io ? " io" : "");
		if (n < sizeof listing)
			listing[n++] = '\n';
	}
	listing_len = n < sizeof listing ? n : sizeof listing;
}

static int pci_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	if (ocb->offset < 0 || (uint64_t)ocb->offset >= listing_len)
		return resmgr_reply(ctp, 0, NULL, 0);
	size_t at = (size_t)ocb->offset, n = listing_len - at;
	if (n > msg->nbytes)
		n = (size_t)msg->nbytes;
	ocb->offset += (int64_t)n;
	return resmgr_reply(ctp, (long)n, listing + at, n);
}

static int find(resmgr_context_t *ctp, const struct _io_devctl *m)
{
	struct _pci_find q;
	struct { struct _io_devctl_reply r; struct _pci_info info; } rep;
	int r = resmgr_devctl_in(ctp, m, &q, sizeof q);

	if (r)
		return r;
	if (q.how != _PCI_FIND_CLASS && q.how != _PCI_FIND_ID)
		return EINVAL;
	uint32_t seen = 0;
	for (int i = 0; i < host.nfunc; i++) {
		const struct pci_func *f = &host.func[i];
		uint32_t key = q.how == _PCI_FIND_CLASS ? f->class_code
							: (uint32_t)f->vendor << 16 | f->device;
		if (key != q.match || seen++ != q.index)
			continue;
		rep.r = (struct _io_devctl_reply){ 0, sizeof rep.info };
		info_of(f, &rep.info);
		return resmgr_reply(ctp, 0, &rep, sizeof rep);
	}
	return ENOENT;
}

static int attach(resmgr_context_t *ctp, const struct _io_devctl *m, const iofunc_ocb_t *ocb)
{
	uint32_t bdf;
	int r = resmgr_devctl_in(ctp, m, &bdf, sizeof bdf);

	if (r)
		return r;
	int i = index_of(bdf);
	if (i < 0)
		return ENOENT;
	if (owner[i] && owner[i] != ocb)
		return EBUSY;
	owner[i] = ocb;
	return 0;
}

/* Registers the server placed and a driver must leave alone: the BARs
 * (a function's six, a bridge's two and its bus numbers and windows). */
static bool placed_by_server(const struct pci_func *f, unsigned off)
{
	if ((f->header & 0x7f) == 1)
		return off >= PCI_BAR0 && off < 0x30;
	return off >= PCI_BAR0 && off < PCI_BAR0 + 4 * PCI_MAX_BARS;
}

/* The index of function bdf if this open attached it, else -ENOENT (no
 * such function) or -EPERM (not this open's). */
static int attached(unsigned bdf, const iofunc_ocb_t *ocb)
{
	int i = index_of(bdf);

	return i < 0 ? -ENOENT : owner[i] != ocb ? -EPERM : i;
}

static int cfg_io(resmgr_context_t *ctp, const struct _io_devctl *m, const iofunc_ocb_t *ocb)
{
	struct _pci_cfg_io io;
	struct { struct _io_devctl_reply r; struct _pci_cfg_io io; } rep;
	int r = resmgr_devctl_in(ctp, m, &io, sizeof io);

	if (r)
		return r;
	if ((io.offset & 3) || io.offset >= 4096)
		return EINVAL;
	int i = attached(io.bdf, ocb);
	if (i < 0)
		return -i;
	if (m->dcmd == _DCMD_PCI_CFG_WRITE) {
		if (placed_by_server(&host.func[i], io.offset))
			return EACCES;
		host.cfg.write32(host.cfg.ctx, io.bdf, io.offset, io.value);
		return 0;
	}
	io.value = host.cfg.read32(host.cfg.ctx, io.bdf, io.offset);
	rep.r = (struct _io_devctl_reply){ 0, sizeof rep.io };
	rep.io = io;
	return resmgr_reply(ctp, 0, &rep, sizeof rep);
}

static int msi_attach(resmgr_context_t *ctp, const struct _io_devctl *m, const iofunc_ocb_t *ocb)
{
	struct _pci_msi q;
	struct { struct _io_devctl_reply r; struct _pci_msi q; } rep;
	int r = resmgr_devctl_in(ctp, m, &q, sizeof q);

	if (r)
		return r;
	if (q.event.sigev_reserved)
		return EINVAL;
	int i = attached(q.bdf, ocb);
	if (i < 0)
		return -i;
	if (msi_intr < 0)
		return ENOTSUP;
	int v = pci_msi_route_attach(&route, ocb, q.bdf);
	if (v < 0)
		return -v;
	msi_to[v].rcvid = ctp->rcvid;
	msi_to[v].event = q.event;
	q.vector = v;
	rep.r = (struct _io_devctl_reply){ 0, sizeof rep.q };
	rep.q = q;
	return resmgr_reply(ctp, 0, &rep, sizeof rep);
}

/* The MSI controller's interrupt: each vector that fired goes to its
 * driver, then the line is open again. */
static int pci_pulse(resmgr_context_t *ctp, int code, union sigval value)
{
	uint16_t fired[32];
	int n;

	(void)ctp;
	(void)value;
	if (code != PULSE_MSI || msi_intr < 0)
		return 0;
	while ((n = pci_msi_route_pending(&route, fired, 32)) > 0)
		for (int k = 0; k < n; k++)
			if (MsgDeliverEvent_r(msi_to[fired[k]].rcvid, &msi_to[fired[k]].event) < 0)
				fprintf(stderr, "pci-server: MSI vector %u: its driver is gone\n",
					fired[k]);
	InterruptUnmask_r((int)host.msi_irq, msi_intr);
	return 0;
}

static void msi_start(resmgr_t *m)
{
	struct sigevent ev;
	int coid = host.msi_irq ? resmgr_self_coid(m) : -1;

	if (coid < 0)
		return;
	pci_msi_route_init(&route, &host.dw);
	SIGEV_PULSE_INIT(&ev, coid, SIGEV_PULSE_PRIO_INHERIT, PULSE_MSI, 0);
	msi_intr = InterruptAttachEvent_r((int)host.msi_irq, &ev, _NTO_INTR_FLAGS_TRK_MSK);
	if (msi_intr < 0)
		fprintf(stderr, "pci-server: cannot attach the MSI interrupt %u (error %d): no MSI\n",
			host.msi_irq, -msi_intr);
}

/* Driving a function is root's (drivers run as root): anyone may look. */
static bool by_root(resmgr_context_t *ctp)
{
	struct _client_info ci;

	return iofunc_client_info(ctp, &ci) == 0 && ci.cred.euid == 0;
}

static int pci_devctl(resmgr_context_t *ctp, const struct _io_devctl *m, iofunc_ocb_t *ocb)
{
	switch (m->dcmd) {
	case _DCMD_PCI_FIND:
		return find(ctp, m);
	case _DCMD_PCI_ATTACH:
		return by_root(ctp) ? attach(ctp, m, ocb) : EPERM;
	case _DCMD_PCI_CFG_READ: case _DCMD_PCI_CFG_WRITE:
		return by_root(ctp) ? cfg_io(ctp, m, ocb) : EPERM;
	case _DCMD_PCI_MSI_ATTACH:
		return by_root(ctp) ? msi_attach(ctp, m, ocb) : EPERM;
	}
	return ENOTTY;
}

/* The functions the closing open drove are free for the next driver, and
 * its MSI vectors go back. */
static int pci_close(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	if (msi_intr >= 0)
		pci_msi_route_release(&route, ocb);
	for (int i = 0; i < host.nfunc; i++)
		if (owner[i] == ocb)
			owner[i] = NULL;
	return iofunc_close_ocb_default(ctp, ocb);
}

int main(void)
{
	static const resmgr_io_funcs_t io = { .read = pci_read, .devctl = pci_devctl,
					      .close_ocb = pci_close, .pulse = pci_pulse };
	static iofunc_attr_t attr;
	int r = pci_host_open(&host, ECAM_VA, "pci-server");

	if (r == ENOENT) {
		printf("pci-server: no PCIe host\n");
		return 0;
	}
	if (r)
		return 1;
	make_listing();
	iofunc_attr_init(&attr, S_IFCHR | 0444);
	attr.nbytes = listing_len;
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);
	resmgr_t *m = chid >= 0 ? resmgr_create(chid, NULL, &io, &attr) : NULL;
	if (!m || resmgr_attach(m, PCI_SERVER_PATH, _FTYPE_ANY, 0) < 0) {
		fprintf(stderr, "pci-server: cannot serve %s: %s\n", PCI_SERVER_PATH, strerror(errno));
		return 1;
	}
	msi_start(m);
	printf("pci-server: %d function%s on %s%s\n", host.nfunc, host.nfunc == 1 ? "" : "s",
	       PCI_SERVER_PATH, msi_intr >= 0 ? ", MSI" : "");
	resmgr_loop(m);
	return 1;
}
