/* sysfs: /sys, the system described by the kernel (SysInfo, <keel/sysinfo.h>)
 * as read-only text files:
 *   board     the device tree's model, then its root compatible, a line each
 *   cmdline   the kernel command line
 *   version   the kernel's version and build
 *   harts     a line per hart: its index, firmware id, and "online" or "offline"
 *   stats     a header line, then a line per hart: index, timer ticks, IPIs,
 *             device interrupts and context switches since boot
 * Each open takes a snapshot (so a reader sees one consistent text however it
 * reads it); stat reports the snapshot's size.  Writes are EROFS (the files'
 * mode says read-only; a privileged writer still gets the error).  /sys
 * itself lists the files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>

#define TEXT_MAX 8192

enum file { F_BOARD, F_CMDLINE, F_VERSION, F_HARTS, F_STATS, F_COUNT };

static const char *const names[F_COUNT] = { "board", "cmdline", "version", "harts", "stats" };
static iofunc_attr_t dir_attr, file_attr[F_COUNT];

/* A snapshot: the text one open reads. */
struct snap {
	size_t len;
	char text[TEXT_MAX];
};

__attribute__((format(printf, 2, 3)))
static void add(struct snap *s, const char *fmt, ...)
{
	va_list ap;

	if (s->len >= sizeof s->text)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(s->text + s->len, sizeof s->text - s->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n < sizeof s->text - s->len ? (size_t)n : sizeof s->text - s->len - 1;
}

/* A SysInfo string, "" when the kernel has none or it fails. */
static const char *info_string(unsigned what, char *buf, size_t size)
{
	long n = SysInfo_r(what, 0, buf, size);

	if (n < 0)
		buf[0] = 0;
	buf[size - 1] = 0;
	return buf;
}

static void make(struct snap *s, enum file f)
{
	char buf[512];
	struct _hart_stats h;

	s->len = 0;
	switch (f) {
	case F_BOARD:
		add(s, "%s\n", info_string(_SYSINFO_MODEL, buf, sizeof buf));
		add(s, "%s\n", info_string(_SYSINFO_COMPATIBLE, buf, sizeof buf));
		break;
	case F_CMDLINE:
		add(s, "%s\n", info_string(_SYSINFO_CMDLINE, buf, sizeof buf));
		break;
	case F_VERSION:
		add(s, "%s\n", info_string(_SYSINFO_VERSION, buf, sizeof buf));
		break;
	case F_HARTS:
		for (unsigned i = 0; SysInfo_r(_SYSINFO_HART, i, &h, sizeof h) > 0; i++)
			add(s, "%u %u %s\n", h.index, h.hartid, h.online ? "online" : "offline");
		break;
	case F_STATS:
		add(s, "hart ticks ipis irqs switches\n");
		for (unsigned i = 0; SysInfo_r(_SYSINFO_HART, i, &h, sizeof h) > 0; i++)
			add(s, "%u %llu %llu %llu %llu\n", h.index, (unsigned long long)h.ticks,
			    (unsigned long long)h.ipis, (unsigned long long)h.irqs,
			    (unsigned long long)h.switches);
		break;
	default:
		break;
	}
}

static int sys_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	(void)attr;
	if (!*path)
		return iofunc_open_default(ctp, msg, "", &dir_attr, ocb);
	for (int f = 0; f < F_COUNT; f++) {
		if (strcmp(path, names[f]))
			continue;
		if ((msg->ioflag & O_ACCMODE) != O_RDONLY || (msg->ioflag & O_TRUNC))
			return EROFS;
		struct snap *s = malloc(sizeof *s);
		if (!s)
			return ENOMEM;
		make(s, (enum file)f);
		file_attr[f].nbytes = (int64_t)s->len;
		int r = iofunc_open_default(ctp, msg, "", &file_attr[f], ocb);
		if (r) {
			free(s);
			return r;
		}
		(*ocb)->data = s;
		return 0;
	}
	return (msg->ioflag & O_CREAT) ? EROFS : ENOENT;
}

static int dir_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	static char buf[1024];
	size_t max = msg->nbytes < sizeof buf ? (size_t)msg->nbytes : sizeof buf, used = 0;
	int64_t pos = ocb->offset;

	for (; pos < F_COUNT; pos++)
		if (resmgr_dirent_add(buf, max, &used, file_attr[pos].ino, (uint64_t)pos + 1, DT_REG,
				      names[pos])) {
			if (!used)
				return EINVAL;
			break;
		}
	ocb->offset = pos;
	return resmgr_reply(ctp, (long)used, buf, used);
}

static int sys_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	const struct snap *s = ocb->data;

	if (ocb->attr == &dir_attr)
		return dir_read(ctp, msg, ocb);
	if (!s)
		return EBADF;
	size_t off = ocb->offset < 0 ? 0 : (size_t)ocb->offset;
	size_t n = off < s->len ? s->len - off : 0;
	if (n > msg->nbytes)
		n = (size_t)msg->nbytes;
	ocb->offset = (int64_t)(off + n);
	return resmgr_reply(ctp, (long)n, s->text + off, n);
}

static int sys_write(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)msg;
	(void)ocb;
	return EROFS;
}

static int sys_close(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	free(ocb->data);
	return iofunc_close_ocb_default(ctp, ocb);
}

int main(void)
{
	static const resmgr_connect_funcs_t conn = { .open = sys_open };
	static const resmgr_io_funcs_t io = { .read = sys_read, .write = sys_write,
					      .close_ocb = sys_close };
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);

	iofunc_attr_init(&dir_attr, S_IFDIR | 0555);
	dir_attr.ino = 1;
	for (int f = 0; f < F_COUNT; f++) {
		iofunc_attr_init(&file_attr[f], S_IFREG | 0444);
		file_attr[f].ino = (uint64_t)f + 2;
	}
	resmgr_t *mgr = chid >= 0 ? resmgr_create(chid, &conn, &io, &dir_attr) : NULL;
	if (!mgr || resmgr_attach(mgr, "/sys", _FTYPE_ANY, _PROC_PATH_DIR) < 0) {
		fprintf(stderr, "sysfs: cannot serve /sys: %s\n", strerror(errno));
		return 1;
	}
	return resmgr_loop(mgr) < 0 ? 1 : 0;
}
