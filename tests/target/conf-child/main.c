/* conf-child: the child that conf-process spawns.  It does what argv[1]
 * says and tells the result through its exit status (no output, so the
 * parent's KTAP stays whole):
 *   exit N            exit with status N
 *   ppid P            0 if getppid() == P, else 1
 *   write FD TEXT     write TEXT to the inherited FD: 0 if all written
 *   sleep MS          sleep, then exit 0
 *   setsid            0 if setsid() gives our own pid and getsid(0) agrees
 *   env NAME VALUE    0 if getenv(NAME) is VALUE
 *   argc N            0 if argc == N
 *   closed FD         0 if FD is not open (write gives EBADF)
 *   serve-die P       serve P; the first write to it ends the process unreplied
 *   serve P           serve a memory file at P until killed
 *   cwd D             0 if the working directory is D
 *   openwrite P TEXT  open P for appending, write TEXT, close: 0 if all worked,
 *                     100 + errno % 100 if the open failed
 *   shebang SCRIPT x y  (as a script's "#!/bin/conf-child shebang" line runs it)
 *                     0 if SCRIPT is a path ending in /shebang-script, else 1 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <unistd.h>
#include <keel/iomsg.h>
#include <keel/neutrino.h>
#define MEMFILE_CAP 4096
#include <memfile.h>

/* serve-die: a server whose write handler ends the process mid-request. */
static int die_write(resmgr_context_t *ctp, const struct _io_write *m, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)m;
	(void)ocb;
	_exit(0);
}

/* Serves a file at path with the io handlers until the loop ends. */
static int serve(const char *path, const resmgr_io_funcs_t *io)
{
	static iofunc_attr_t attr;
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);

	iofunc_attr_init(&attr, S_IFREG | 0666);
	resmgr_t *m = chid >= 0 ? resmgr_create(chid, NULL, io, &attr) : NULL;
	if (!m || resmgr_attach(m, path, _FTYPE_FILE, 0) < 0)
		return 1;
	resmgr_loop(m);
	return 2;
}

/* serve-die dies in its write handler; serve is a memory file (memfile.h)
 * for programs that must stay single-threaded (conf-fork: fork refuses a
 * process with threads). */
static const resmgr_io_funcs_t die_io = { .write = die_write };
static const resmgr_io_funcs_t mem_io = { .read = mem_read, .write = mem_write };

int main(int argc, char **argv)
{
	if (argc < 2)
		return 100;
	const char *cmd = argv[1];
	if (!strcmp(cmd, "serve-die") && argc == 3)
		return serve(argv[2], &die_io);
	if (!strcmp(cmd, "serve") && argc == 3)
		return serve(argv[2], &mem_io);
	if (!strcmp(cmd, "cwd") && argc == 3) {
		char buf[256];
		return getcwd(buf, sizeof buf) && !strcmp(buf, argv[2]) ? 0 : 1;
	}
	if (!strcmp(cmd, "exit") && argc == 3)
		return atoi(argv[2]);
	if (!strcmp(cmd, "ppid") && argc == 3)
		return getppid() == atoi(argv[2]) ? 0 : 1;
	if (!strcmp(cmd, "write") && argc == 4) {
		size_t n = strlen(argv[3]);
		return write(atoi(argv[2]), argv[3], n) == (ssize_t)n ? 0 : 1;
	}
	if (!strcmp(cmd, "openwrite") && argc == 4) {
		int fd = open(argv[2], O_WRONLY | O_APPEND);
		size_t n = strlen(argv[3]);
		if (fd < 0)
			return 100 + errno % 100;
		return write(fd, argv[3], n) == (ssize_t)n && close(fd) == 0 ? 0 : 1;
	}
	if (!strcmp(cmd, "open2") && argc == 5) {       /* pid chid1 chid2 */
		/* An open on each; the first one's connection dropped without a
		 * close (its server hears DISCONNECT while the second is held),
		 * then the end: no close at all. */
		int a = _connect_open(atoi(argv[2]), atoi(argv[3]), 0, "", O_RDONLY, 0);
		int b = _connect_open(atoi(argv[2]), atoi(argv[4]), 0, "", O_RDONLY, 0);
		struct timespec ts = { 0, 300 * 1000000L };
		if (a < 0 || b < 0 || ConnectDetach_r(a) != 0)
			_exit(1);
		nanosleep(&ts, NULL);
		_exit(0);
	}
	if (!strcmp(cmd, "dupof") && argc == 5) {       /* pid chid fd: the parent's open */
		/* A new connection to the server, and a _IO_DUP naming the
		 * parent's connection fd: 0 when refused (EPERM), 1 if shared. */
		int co = ConnectAttach_r(ND_LOCAL_NODE, atoi(argv[2]), atoi(argv[3]),
					 _NTO_SIDE_CHANNEL, 0);
		struct _io_dup d = { .hdr = { .type = _IO_DUP }, .coid = atoi(argv[4]),
				     .pid = getppid() };
		if (co < 0)
			_exit(10);
		long r = MsgSend_r(co, &d, sizeof d, NULL, 0);
		_exit(r == -EPERM ? 0 : r == 0 ? 1 : 2);
	}
	if (!strcmp(cmd, "sleep") && argc == 3) {
		long ms = atol(argv[2]);
		struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };
		nanosleep(&ts, NULL);
		return 0;
	}
	if (!strcmp(cmd, "shebang")) {
		size_t n = argc == 5 ? strlen(argv[2]) : 0;
		return n > 15 && !strcmp(argv[2] + n - 15, "/shebang-script") &&
		       !strcmp(argv[3], "x") && !strcmp(argv[4], "y") ? 0 : 1;
	}
	if (!strcmp(cmd, "contig")) {          /* spawned without I/O privilege */
		errno = 0;
		void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANON | MAP_CONTIG, -1, 0);
		return m == MAP_FAILED && errno == EPERM ? 0 : 1;
	}
	if (!strcmp(cmd, "setsid"))
		return setsid() == getpid() && getsid(0) == getpid() ? 0 : 1;
	if (!strcmp(cmd, "env") && argc == 4) {
		const char *v = getenv(argv[2]);
		return v && !strcmp(v, argv[3]) ? 0 : 1;
	}
	if (!strcmp(cmd, "argc") && argc == 3)
		return argc == atoi(argv[2]) ? 0 : 1;
	if (!strcmp(cmd, "closed") && argc == 3)
		return write(atoi(argv[2]), "x", 1) < 0 && errno == EBADF ? 0 : 1;
	return 101;
}
