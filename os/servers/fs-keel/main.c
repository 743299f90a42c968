/* fs-keel: serves an fs-keel volume.  fs-keel [-r] DEVICE MOUNTPOINT
 * opens DEVICE (a block device such as /dev/vblk0p1, or any file holding
 * an image), mounts the volume in it with the fs-keel core (read-only with
 * -r) and serves it at MOUNTPOINT until it is asked to unmount (umount's
 * _DCMD_FSYS_UNMOUNT) or sent SIGTERM; then it unmounts cleanly (the
 * volume is marked clean) and exits 0.
 *
 * A volume the core refuses (corrupt, foreign, or needing features this
 * core lacks) is reported on stderr with the core's one-line reason, exit
 * status 1; so is a DEVICE that another server has mounted already.  mount
 * starts this program and passes that line on.
 *
 * The device: the host tools' own file-backed block device (blkfile.c,
 * one source for both), with every barrier a fdatasync of the device, so
 * the core's ordered writes (fskeel.h) reach the device in order.
 *
 * Names: MOUNTPOINT (with _PROC_PATH_DIR, so every name below it comes
 * here) and /dev/fsys/<pid> (the root again, where tools ask what this
 * server mounts: <keel/iomsg.h> _DCMD_FSYS_MOUNTINFO).  Paths, permissions
 * and symbolic links work as in tmpfs (walk.c, connect.c); data and
 * attributes live in the volume (io.c).  A file open while its last name
 * goes stays, nameless, for its opens, and is freed with the last of them
 * (or at the unmount): POSIX's unlink (node.c).
 *
 * Threads: FSD_THREADS serve at once, each client request on one of them;
 * fsd.h gives the locks that keep them apart.
 *
 * Messages after the mount go to the system log as well as stderr, since
 * mount's pipe, stderr at the start, is gone once mount has returned. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <syslog.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>
#include "blkfile.h"
#include "fsd.h"
#include "mounted.h"

#define PULSE_TERM  (_PULSE_CODE_MINAVAIL + 1)  /* SIGTERM, from the signal handler */
#define PULSE_WAKE  (_PULSE_CODE_MINAVAIL + 2)  /* a serving thread, to see the loop end */

struct fsk *fsd_fs;
const char *fsd_mount;
bool fsd_rdonly;
resmgr_t *fsd_mgr;
struct _io_mountinfo_reply fsd_info;

static struct blkfile dev;
static int self_coid = -1;
static iofunc_attr_t mgr_attr;          /* the framework's; the handlers use nodes */
static pthread_rwlock_t fsd_live = PTHREAD_RWLOCK_INITIALIZER;

void fsd_enter(void)
{
	pthread_rwlock_rdlock(&fsd_live);
}

void fsd_leave(void)
{
	pthread_rwlock_unlock(&fsd_live);
}

int fsd_unmount(void)
{
	static int err;                 /* the unmount's result, for every later call */

	pthread_rwlock_wrlock(&fsd_live);
	if (!fsd_fs) {
		pthread_rwlock_unlock(&fsd_live);
		return err;
	}
	node_forget_all();              /* files open still, whose names all went */
	int r = fsk_unmount(fsd_fs);
	fsd_fs = NULL;
	if (r)
		syslog(LOG_ERR, "%s: unmount failed: %s", fsd_info.device, strerror(-r));
	err = r ? EIO : 0;
	pthread_rwlock_unlock(&fsd_live);
	/* Every serving thread ends its loop at its next message: one each. */
	resmgr_stop(fsd_mgr);
	for (int i = 0; i < FSD_THREADS && self_coid >= 0; i++)
		MsgSendPulse_r(self_coid, -1, PULSE_WAKE, 0);
	return err;
}

/* SIGTERM: the loop may be waiting in MsgReceive, so the handler wakes it
 * with a pulse; the unmount runs as a handler, between two messages. */
static void on_term(int sig)
{
	(void)sig;
	if (self_coid >= 0)
		MsgSendPulse_r(self_coid, -1, PULSE_TERM, 0);
}

static int on_pulse(resmgr_context_t *ctp, int code, union sigval value)
{
	(void)ctp;
	(void)value;
	if (code == PULSE_TERM)
		fsd_unmount();
	return 0;
}

static void *serve(void *arg)
{
	(void)arg;
	resmgr_loop(fsd_mgr);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: fs-keel [-r] DEVICE MOUNTPOINT\n");
	return 2;
}

/* MOUNTPOINT without trailing slashes: NULL if it is not absolute. */
static char *clean_mount(const char *path)
{
	size_t n = strlen(path);

	if (path[0] != '/' || n >= _IO_PATH_MAX / 2)
		return NULL;
	while (n > 1 && path[n - 1] == '/')
		n--;
	return strndup(path, n);
}

/* Opens and mounts the volume: 0, or 1 with the reason said. */
static int mount_volume(const char *device)
{
	char why[FSK_REASON_MAX];
	struct fsys_mount m;
	struct stat st;

	if (fsys_mounted_by(device, &m)) {
		fprintf(stderr, "fs-keel: %s: already mounted on %s (server pid %d)\n", device,
			m.mountpoint, m.pid);
		return 1;
	}
	int r = blkfile_open(&dev, device, 0, 0,
			     BLKFILE_DURABLE | (fsd_rdonly ? BLKFILE_RDONLY : 0));
	if (r) {
		fprintf(stderr, "fs-keel: %s: %s\n", device, strerror(-r));
		return 1;
	}
	r = fsk_mount(&dev.dev, fsd_rdonly ? FSK_MOUNT_RDONLY : 0, &fsd_fs, why, sizeof why);
	if (r) {
		fprintf(stderr, "fs-keel: %s: %s\n", device, why);
		blkfile_close(&dev);
		return 1;
	}
	fsk_set_in_use(fsd_fs, node_in_use, NULL);
	if (fstat(dev.fd, &st) == 0) {
		fsd_info.dev_dev = (uint64_t)st.st_dev;
		fsd_info.dev_ino = (uint64_t)st.st_ino;
	}
	fsd_info.flag = fsd_rdonly ? ST_RDONLY : 0;
	strcpy(fsd_info.type, "keel");
	snprintf(fsd_info.device, sizeof fsd_info.device, "%s", device);
	snprintf(fsd_info.mountpoint, sizeof fsd_info.mountpoint, "%s", fsd_mount);
	return 0;
}

static const resmgr_io_funcs_t *io_funcs(void)
{
	static resmgr_io_funcs_t io;

	io = fsd_io;
	io.pulse = on_pulse;
	return &io;
}

/* Attaches both names: 0, or 1 with the reason said. */
static int serve_names(void)
{
	char info[64];
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);

	fsd_mgr = chid >= 0 ? resmgr_create(chid, &fsd_connect, io_funcs(), &mgr_attr) : NULL;
	self_coid = fsd_mgr ? resmgr_self_coid(fsd_mgr) : -1;
	snprintf(info, sizeof info, "%s/%d", _FSYS_INFO_DIR, (int)getpid());
	if (self_coid < 0 || resmgr_attach(fsd_mgr, fsd_mount, _FTYPE_ANY, _PROC_PATH_DIR) < 0 ||
	    resmgr_attach(fsd_mgr, info, _FTYPE_ANY, 0) < 0) {
		fprintf(stderr, "fs-keel: cannot serve %s: %s\n", fsd_mount, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	int opt;

	while ((opt = getopt(argc, argv, "r")) != -1) {
		if (opt != 'r')
			return usage();
		fsd_rdonly = true;
	}
	if (argc - optind != 2 || !(fsd_mount = clean_mount(argv[optind + 1])))
		return usage();
	signal(SIGPIPE, SIG_IGN);               /* mount's pipe may close under stderr */
	signal(SIGHUP, SIG_IGN);                /* a server outlives the session that mounted */
	openlog("fs-keel", LOG_PID, LOG_DAEMON);
	iofunc_attr_init(&mgr_attr, S_IFDIR | 0755);
	if (mount_volume(argv[optind]))
		return 1;
	if (serve_names()) {
		fsk_unmount(fsd_fs);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	if (fsk_was_dirty(fsd_fs))
		syslog(LOG_WARNING, "%s was not unmounted cleanly: run fsck-keel on it",
		       argv[optind]);
	syslog(LOG_INFO, "%s mounted on %s%s", argv[optind], fsd_mount,
	       fsd_rdonly ? " read-only" : "");
	/* The other serving threads are joined before the exit, so that a
	 * reply one of them still owes (the unmount's own) is not lost with
	 * the process. */
	pthread_t others[FSD_THREADS - 1];
	resmgr_concurrent(fsd_mgr);
	for (int i = 0; i < FSD_THREADS - 1; i++) {
		int e = pthread_create(&others[i], NULL, serve, NULL);
		if (e) {
			fprintf(stderr, "fs-keel: cannot start its threads: %s\n", strerror(e));
			return 1;               /* the exit takes the started ones */
		}
	}
	int r = resmgr_loop(fsd_mgr);
	int u = fsd_unmount();
	for (int i = 0; i < FSD_THREADS - 1; i++)
		pthread_join(others[i], NULL);
	if (u == 0)
		syslog(LOG_INFO, "%s unmounted from %s", argv[optind], fsd_mount);
	blkfile_close(&dev);
	return r < 0 || u ? 1 : 0;
}
