/* pci-server: the one owner of the machine's PCIe host (<keel/pcimsg.h>).
 *
 * At start it maps the host's configuration space, learns its windows and
 * INTx wiring from the device tree and enumerates (os/lib/pci_host.c,
 * pci.c: bridges, BARs placed, decoding on).  Then it serves
 * PCI_SERVER_PATH: a listing to read, and to drivers the functions by
 * class or ids, each function to one driver at a time (ATTACH, let go
 * when that open closes), and the configuration registers of the
 * functions a driver attached.  A driver maps its BARs and attaches its
 * interrupt itself.  No PCIe host: it says so and ends 0 (nothing to
 * serve), as the block drivers do. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <keel/neutrino.h>
#include <keel/pcimsg.h>
#include "pci_host.h"

#define ECAM_VA     0x0000002000000000ul       /* the configuration space's mapping */
#define LIST_MAX    8192

static struct pci_host host;
static const iofunc_ocb_t *owner[PCI_MAX_FUNCS];      /* the open driving each function */
static char listing[LIST_MAX];
static size_t listing_len;

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

static int cfg_io(resmgr_context_t *ctp, const struct _io_devctl *m, const iofunc_ocb_t *ocb)
{
	struct _pci_cfg_io io;
	struct { struct _io_devctl_reply r; struct _pci_cfg_io io; } rep;
	int r = resmgr_devctl_in(ctp, m, &io, sizeof io);

	if (r)
		return r;
	if ((io.offset & 3) || io.offset >= 4096)
		return EINVAL;
	int i = index_of(io.bdf);
	if (i < 0)
		return ENOENT;
	if (owner[i] != ocb)
		return EPERM;
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
	}
	return ENOTTY;
}

/* The functions the closing open drove are free for the next driver. */
static int pci_close(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	for (int i = 0; i < host.nfunc; i++)
		if (owner[i] == ocb)
			owner[i] = NULL;
	return iofunc_close_ocb_default(ctp, ocb);
}

int main(void)
{
	static const resmgr_io_funcs_t io = { .read = pci_read, .devctl = pci_devctl,
					      .close_ocb = pci_close };
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
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT);
	resmgr_t *m = chid >= 0 ? resmgr_create(chid, NULL, &io, &attr) : NULL;
	if (!m || resmgr_attach(m, PCI_SERVER_PATH, _FTYPE_ANY, 0) < 0) {
		fprintf(stderr, "pci-server: cannot serve %s: %s\n", PCI_SERVER_PATH, strerror(errno));
		return 1;
	}
	printf("pci-server: %d function%s on %s\n", host.nfunc, host.nfunc == 1 ? "" : "s",
	       PCI_SERVER_PATH);
	resmgr_loop(m);
	return 1;
}
