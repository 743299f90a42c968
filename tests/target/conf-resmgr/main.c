/* conf-resmgr: the resource-manager framework and the client side of the
 * I/O messages (<keel/iomsg.h>, <sys/resmgr.h>), in one process: a server
 * thread runs resmgr_loop for a 64 KiB memory file and the cases open it
 * directly (_connect_open: no path manager needed) and use read, write,
 * lseek, fstat, dup, dup2 and close; raw messages check that malformed
 * input gets an error reply and the server keeps serving.  Cases name the
 * XSH page they check, or resmgr/ for the framework's own contract.
 *   make run CMDLINE="init=/bin/conf-resmgr"                          */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <conf.h>
#include <memfile.h>

/* The random messages of random_messages_leave_it_serving: 10,000 in the
 * suite; `conf-resmgr fuzz N` sends N instead, that case alone, and prints
 * a summary (the libc issue's run of 1,000,000). */
static long fuzz_messages = 10000;

static iofunc_attr_t attr;
static resmgr_t *mgr;
static int chid, pid;

/* devctl 1: reply the file's size as 8 bytes. */
static int mem_devctl(resmgr_context_t *ctp, const struct _io_devctl *m, iofunc_ocb_t *ocb)
{
	if (m->dcmd != 1)
		return RESMGR_DEFAULT;
	struct {
		struct _io_devctl_reply r;
		int64_t size;
	} rep = { { 0, 8 }, ocb->attr->nbytes };
	return resmgr_reply(ctp, 0, &rep, sizeof rep);
}

static const resmgr_io_funcs_t io = { .read = mem_read, .write = mem_write,
				      .devctl = mem_devctl };

static void *server(void *arg)
{
	(void)arg;
	/* It serves until the process ends: a return is a failure, said here
	 * (the cases waiting on it would only hang). */
	int r = resmgr_loop(mgr);
	printf("# conf-resmgr: resmgr_loop returned %d (%s)\n", r, strerror(errno));
	return NULL;
}

static int open_file(int oflag)
{
	return _connect_open(pid, chid, 0, "", oflag, 0);
}

/* A raw connection to the server and one message on it. */
static long raw(int coid, const void *msg, size_t len, void *rep, size_t rlen)
{
	return MsgSend_r(coid, msg, len, rep, rlen);
}

static int raw_coid(void)
{
	return ConnectAttach_r(ND_LOCAL_NODE, pid, chid, _NTO_SIDE_CHANNEL, 0);
}

static void t_open__first_fd_is_above_the_console(void)
{
	int fd = open_file(O_RDWR);

	CHECK_EQ(fd, 3);
	CHECK_EQ(close(fd), 0);
}

static void t_write__then_read_back_at_offset(void)
{
	char buf[16] = "";
	int fd = open_file(O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "hello, keel", 11), 11);
	CHECK_EQ(lseek(fd, 7, SEEK_SET), 7);
	CHECK_EQ(read(fd, buf, sizeof buf), 4);
	CHECK(memcmp(buf, "keel", 4) == 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 0);         /* end of file */
	close(fd);
}

static void t_write__large_buffer_crosses_the_receive_size(void)
{
	static char big[20000], back[20000];
	int fd = open_file(O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7);
	CHECK_EQ(write(fd, big, sizeof big), (long)sizeof big);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(read(fd, back, sizeof back), (long)sizeof back);
	CHECK(memcmp(big, back, sizeof big) == 0);
	close(fd);
}

static void t_lseek__whence_and_errors(void)
{
	int fd = open_file(O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	write(fd, "0123456789", 10);
	CHECK_EQ(lseek(fd, -3, SEEK_END), 7);
	CHECK_EQ(lseek(fd, 2, SEEK_CUR), 9);
	CHECK_EQ(lseek(fd, 100, SEEK_SET), 100);        /* past the end is allowed */
	CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERR(lseek(fd, 0, 42), EINVAL);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 100);          /* errors left it alone */
	close(fd);
}

static void t_fstat__reports_size_and_mode(void)
{
	struct stat st;
	int fd = open_file(O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	write(fd, "abcde", 5);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 5);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0666);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_ERR(fstat(fd, NULL), EFAULT);
	CHECK_ERR(fstat(99, &st), EBADF);
	close(fd);
}

static void t_fstat__console_fd_is_a_character_device(void)
{
	struct stat st;

	CHECK_EQ(fstat(1, &st), 0);
	CHECK(S_ISCHR(st.st_mode));
}

static void t_dup__shares_the_offset(void)
{
	char c = 0;
	int fd = open_file(O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	write(fd, "xyz", 3);
	int fd2 = dup(fd);
	REQUIRE(fd2 >= 0);
	CHECK(fd2 != fd);
	CHECK_EQ(lseek(fd2, 1, SEEK_SET), 1);
	CHECK_EQ(read(fd, &c, 1), 1);                   /* the offset moved for both */
	CHECK_EQ(c, 'y');
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(read(fd2, &c, 1), 1);                  /* the open lives on */
	CHECK_EQ(c, 'z');
	CHECK_EQ(close(fd2), 0);
}

static void t_dup2__onto_the_chosen_number(void)
{
	int fd = open_file(O_RDWR);

	REQUIRE(fd >= 0);
	CHECK_EQ(dup2(fd, 10), 10);
	CHECK_EQ(lseek(10, 0, SEEK_CUR), lseek(fd, 0, SEEK_CUR));
	CHECK_EQ(dup2(fd, fd), fd);
	CHECK_ERR(dup2(fd, -1), EBADF);
	CHECK_ERR(dup2(77, 41), EBADF);
	close(10);
	close(fd);
}

static void t_close__then_io_is_EBADF(void)
{
	char c;
	int fd = open_file(O_RDWR);

	REQUIRE(fd >= 0);
	CHECK_EQ(close(fd), 0);
	CHECK_ERR(read(fd, &c, 1), EBADF);
	CHECK_ERR(write(fd, "a", 1), EBADF);
	CHECK_ERR(close(fd), EBADF);
}

static void t_close__last_close_frees_the_open(void)
{
	unsigned before = resmgr_open_count(mgr), opens = attr.count;
	int fd = open_file(O_RDWR);

	REQUIRE(fd >= 0);
	int fd2 = dup(fd);
	CHECK_EQ(resmgr_open_count(mgr), before + 2);
	CHECK_EQ(attr.count, opens + 1);                /* one open, two connections */
	close(fd);
	CHECK_EQ(attr.count, opens + 1);
	close(fd2);
	CHECK_EQ(resmgr_open_count(mgr), before);
	CHECK_EQ(attr.count, opens);
}

static void t_read__write_only_open_is_EBADF(void)
{
	char c;
	int fd = open_file(O_WRONLY);

	REQUIRE(fd >= 0);
	CHECK_ERR(read(fd, &c, 1), EBADF);
	close(fd);
	fd = open_file(O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_ERR(write(fd, "a", 1), EBADF);
	close(fd);
}

static void t_write__O_APPEND_writes_at_the_end(void)
{
	int fd = open_file(O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	write(fd, "abc", 3);
	int fa = open_file(O_WRONLY | O_APPEND);
	REQUIRE(fa >= 0);
	lseek(fa, 0, SEEK_SET);
	CHECK_EQ(write(fa, "de", 2), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 5);
	close(fa);
	close(fd);
}

static void t_read__bad_buffer_is_EFAULT_and_server_serves(void)
{
	int fd = open_file(O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	write(fd, "data", 4);
	lseek(fd, 0, SEEK_SET);
	CHECK_ERR(read(fd, (void *)0xffffffff80000000ul, 4), EFAULT);
	CHECK_ERR(write(fd, (void *)0x10, 4), EFAULT);
	char buf[4];
	lseek(fd, 0, SEEK_SET);
	CHECK_EQ(read(fd, buf, 4), 4);
	close(fd);
}

static void t_open__path_below_the_name_is_ENOENT(void)
{
	CHECK_ERR(_connect_open(pid, chid, 0, "sub/file", O_RDONLY, 0), ENOENT);
	CHECK_ERR(_connect_open(pid, chid, 0, "", O_ACCMODE, 0), EINVAL);
}

static void t_resmgr__short_message_is_EINVAL(void)
{
	int co = raw_coid();
	struct _io_read m = { .hdr = { .type = _IO_READ } };

	REQUIRE(co >= 0);
	CHECK_EQ(raw(co, &m, 3, NULL, 0), -EINVAL);             /* not even a header */
	CHECK_EQ(raw(co, &m, sizeof m.hdr, NULL, 0), -EINVAL);  /* header, no body */
	ConnectDetach_r(co);
}

static void t_resmgr__unknown_type_is_ENOSYS(void)
{
	int co = raw_coid();
	struct _io_hdr h = { .type = 0x1fe };

	REQUIRE(co >= 0);
	CHECK_EQ(raw(co, &h, sizeof h, NULL, 0), -ENOSYS);
	h.type = 7;
	CHECK_EQ(raw(co, &h, sizeof h, NULL, 0), -ENOSYS);
	ConnectDetach_r(co);
}

static void t_resmgr__io_before_open_is_EBADF(void)
{
	int co = raw_coid();
	struct _io_read m = { .hdr = { .type = _IO_READ }, .nbytes = 1 };
	char c;

	REQUIRE(co >= 0);
	CHECK_EQ(raw(co, &m, sizeof m, &c, 1), -EBADF);
	ConnectDetach_r(co);
}

static void t_resmgr__connect_path_must_lie_in_the_message(void)
{
	int co = raw_coid();
	struct {
		struct _io_connect c;
		char path[8];
	} m = { .c = { .type = _IO_CONNECT, .subtype = _IO_CONNECT_OPEN, .path_len = 200 } };

	REQUIRE(co >= 0);
	CHECK_EQ(raw(co, &m, sizeof m, NULL, 0), -EINVAL);      /* path runs past the end */
	m.c.path_len = 4;
	memcpy(m.path, "abcdefgh", 8);
	CHECK_EQ(raw(co, &m, sizeof m, NULL, 0), -EINVAL);      /* no NUL */
	m.c.path_len = 0;
	CHECK_EQ(raw(co, &m, sizeof m, NULL, 0), -EINVAL);
	m.c.path_len = 1;
	m.c.extra_len = 60000;
	m.path[0] = 0;
	CHECK_EQ(raw(co, &m, sizeof m, NULL, 0), -EINVAL);      /* extra runs past the end */
	ConnectDetach_r(co);
}

static void t_resmgr__write_longer_than_sent_is_EINVAL(void)
{
	int fd = open_file(O_RDWR);
	struct {
		struct _io_write w;
		char data[4];
	} m = { { .hdr = { .type = _IO_WRITE }, .nbytes = 1000 }, "abc" };

	REQUIRE(fd >= 0);
	CHECK_EQ(raw(fd, &m, sizeof m, NULL, 0), -EINVAL);
	m.w.nbytes = UINT64_MAX - 4;                    /* wraps the length sum */
	CHECK_EQ(raw(fd, &m, sizeof m, NULL, 0), -EINVAL);
	m.w.nbytes = 4;
	CHECK_EQ(raw(fd, &m, sizeof m, NULL, 0), 4);
	close(fd);
}

static void t_resmgr__dup_of_unknown_connection_is_EBADF(void)
{
	int co = raw_coid();
	struct _io_dup d = { .hdr = { .type = _IO_DUP }, .coid = 12345 };

	REQUIRE(co >= 0);
	CHECK_EQ(raw(co, &d, sizeof d, NULL, 0), -EBADF);
	ConnectDetach_r(co);
}

static void t_resmgr__dup_naming_own_pid_shares_the_open(void)
{
	int fd = open_file(O_RDWR | O_TRUNC), co = raw_coid();
	struct _io_dup d = { .hdr = { .type = _IO_DUP }, .coid = fd, .pid = pid };
	struct _io_lseek l = { .hdr = { .type = _IO_LSEEK }, .whence = SEEK_CUR };
	struct _io_lseek_reply rep = { -1 };

	REQUIRE(fd >= 0 && co >= 0);
	write(fd, "abcdef", 6);
	CHECK_EQ(raw(co, &d, sizeof d, NULL, 0), 0);
	CHECK_EQ(raw(co, &l, sizeof l, &rep, sizeof rep), 0);
	CHECK_EQ(rep.offset, 6);                        /* the same open */
	CHECK_EQ(raw(co, &d, sizeof d, NULL, 0), -EBUSY);  /* it has one already */
	d.pid = pid + 1;                /* not our parent (and the first process has none) */
	CHECK_EQ(raw(co, &d, sizeof d, NULL, 0), -EPERM);
	struct _io_close c = { .hdr = { .type = _IO_CLOSE } };
	CHECK_EQ(raw(co, &c, sizeof c, NULL, 0), 0);
	ConnectDetach_r(co);
	close(fd);
}

/* A child may share its parent's opens (_IO_DUP naming the parent) only
 * while it takes over its descriptors, until it says it is done
 * (_PROC_FORKED: before posix_spawn or fork returns): later it could take
 * any open its parent makes, close-on-exec ones and those of a root
 * parent after an exec to a user's program included.  conf-child
 * "dupof" asks for the parent's open `fd` well after its start. */
/* conf-child `cmd` with this server's pid and channel and n: its exit
 * status (0 when it ran to its end), or -1. */
static int child_run(const char *cmd, int n)
{
	char a1[16], a2[16], a3[16];
	int st = -1;
	pid_t c;

	snprintf(a1, sizeof a1, "%d", pid);
	snprintf(a2, sizeof a2, "%d", chid);
	snprintf(a3, sizeof a3, "%d", n);
	char *argv[] = { "/bin/conf-child", (char *)cmd, a1, a2, a3, NULL };
	if (posix_spawn(&c, argv[0], NULL, NULL, argv, NULL) != 0 || waitpid(c, &st, 0) != c ||
	    !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void t_resmgr__dup_of_a_parents_open_only_while_starting(void)
{
	int fd = open_file(O_RDWR | O_CLOEXEC);

	REQUIRE(fd >= 0);
	CHECK_EQ(child_run("dupof", fd), 0);            /* 1: it got the open */
	close(fd);
}

static void t_resmgr__devctl_server_and_default(void)
{
	int fd = open_file(O_RDWR | O_TRUNC);
	struct _io_devctl d = { .hdr = { .type = _IO_DEVCTL }, .dcmd = 1 };
	struct {
		struct _io_devctl_reply r;
		int64_t size;
	} rep;

	REQUIRE(fd >= 0);
	write(fd, "12345678", 8);
	CHECK_EQ(raw(fd, &d, sizeof d, &rep, sizeof rep), 0);
	CHECK_EQ(rep.r.nbytes, 8);
	CHECK_EQ(rep.size, 8);
	d.dcmd = 99;
	CHECK_EQ(raw(fd, &d, sizeof d, &rep, sizeof rep), -ENOTTY);
	close(fd);
}

/* Random messages of random types and lengths, on raw connections and on
 * an open one: every one gets a reply, and the server still works. */
static void t_resmgr__random_messages_leave_it_serving(void)
{
	static unsigned char msg[3000], rep[256];
	unsigned seed = 42, replied = 0;
	unsigned before = resmgr_open_count(mgr);
	int co = raw_coid(), fd = open_file(O_RDWR);

	REQUIRE(co >= 0 && fd >= 0);
	long by_error[128] = { 0 };

	for (long i = 0; i < fuzz_messages; i++) {
		if (i % (fuzz_messages / 5) == 0)       /* round trips cross harts slowly under TCG */
			conf_line("# %ld random messages so far", i);
		for (size_t j = 0; j < 64; j++) {
			seed = seed * 1103515245 + 12345;
			msg[j] = (unsigned char)(seed >> 16);
		}
		seed = seed * 1103515245 + 12345;
		uint16_t type = (uint16_t)(0x100 + (seed >> 16) % 18);
		if ((seed >> 8) % 7 == 0)
			type = (uint16_t)(seed >> 12);
		memcpy(msg, &type, 2);
		size_t len = (seed >> 20) % 80;
		if ((seed >> 4) % 4 == 0) {
			/* a quarter near-valid: a clean header, a small count,
			 * a body's length at least, so that handlers run */
			uint64_t small = (seed >> 8) % 64;
			memset(msg + 2, 0, 6);
			memcpy(msg + 8, &small, 8);
			len = 16 + (seed >> 20) % 64;
		}
		int target = (i & 1) ? co : fd;
		if (target == fd && type == _IO_CLOSE) {
			/* the open stays: closed, it answered EBADF from then on */
			type = _IO_READ;
			memcpy(msg, &type, 2);
		}
		long r = raw(target, msg, len, rep, sizeof rep);
		if (r != -ESRCH && r != -EBADF && r != -EINVAL && r != -ENOSYS && r != -EFAULT &&
		    r != -EBUSY && r != -ENOENT && r != -ENOTTY && r != -EOVERFLOW && r != -ENOSPC &&
		    r != -EACCES && r != -EPERM && r != -ENODEV && r < -1)
			CONF_FAIL("message %ld type %#x len %zu: %ld", i, type, len, r);
		if (r != -ESRCH)
			replied++;
		by_error[r < 0 && r > -128 ? -r : 0]++;
	}
	CHECK_EQ(replied, fuzz_messages);
	char sum[512];
	int at = snprintf(sum, sizeof sum, "%ld answered with a status >= 0", by_error[0]);
	for (int e = 1; e < 128 && at < (int)sizeof sum; e++)
		if (by_error[e])
			at += snprintf(sum + at, sizeof sum - (size_t)at, ", %ld %s", by_error[e],
				       strerror(e));
	conf_line("# resmgr fuzz: %ld random messages (types 0x100..0x111 and any, lengths "
		  "0..79, half on a raw connection, half on an open), %u replied: %s", fuzz_messages,
		  replied, sum);
	ConnectDetach_r(co);
	close(fd);
	/* The connect messages among them may have opened the raw connection:
	 * its open goes when the client process goes, not before. */
	int fd2 = open_file(O_RDWR | O_TRUNC);
	REQUIRE(fd2 >= 0);
	CHECK_EQ(write(fd2, "ok", 2), 2);
	close(fd2);
	CHECK(resmgr_open_count(mgr) <= before + 1);
}

static int pool_chid;
static resmgr_t *pool;
static iofunc_attr_t pool_attr;
static long pool_total;

/* The pool's write adds the bytes to a counter: lost updates would show. */
static int count_write(resmgr_context_t *ctp, const struct _io_write *m, iofunc_ocb_t *ocb)
{
	long v = pool_total;

	(void)ocb;
	sched_yield();                  /* let another pool thread in, if it could */
	pool_total = v + (long)m->nbytes;
	return resmgr_reply(ctp, (long)m->nbytes, NULL, 0);
}

static void *pool_client(void *arg)
{
	(void)arg;
	int fd = _connect_open(pid, pool_chid, 0, "", O_WRONLY, 0);
	for (int i = 0; fd >= 0 && i < 200; i++)
		write(fd, "abc", 3);
	close(fd);
	return NULL;
}

/* A server process of two channels (as devnull, of five): a client that
 * drops its connection to one (no close) while it holds the other, then
 * ends, has both opens closed by the two managers.  (Each heard DISCONNECT
 * for its channel, but asked the kernel whether the client was still
 * connected to the process: the first kept its open for good, the client's
 * connection to the other still there.  A process that ends does the
 * same, one connection after another.) */
static void t_resmgr__client_end_closes_its_opens_on_each_channel(void)
{
	static const resmgr_io_funcs_t tio = { .read = mem_read };
	static iofunc_attr_t tattr;
	int tchid = ChannelCreate(_NTO_CHF_DISCONNECT);
	resmgr_t *two = tchid >= 0 ? resmgr_create(tchid, NULL, &tio, &tattr) : NULL;

	iofunc_attr_init(&tattr, S_IFREG | 0666);
	REQUIRE(two != NULL);
	REQUIRE(resmgr_pool_start(two, 1) == 0);
	unsigned base = resmgr_open_count(mgr);
	CHECK_EQ(child_run("open2", tchid), 0);
	for (int ms = 0; ms < 3000 && (resmgr_open_count(mgr) != base ||
				       resmgr_open_count(two) != 0); ms += 10) {
		struct timespec w = { 0, 10 * 1000000L };
		nanosleep(&w, NULL);
	}
	CHECK_EQ(resmgr_open_count(mgr), base);
	CHECK_EQ(resmgr_open_count(two), 0);
}

static void t_resmgr_pool_start__handlers_run_one_at_a_time(void)
{
	static const resmgr_io_funcs_t pio = { .write = count_write };
	pthread_t t[6];

	pool_chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	iofunc_attr_init(&pool_attr, S_IFREG | 0666);
	pool = pool_chid >= 0 ? resmgr_create(pool_chid, NULL, &pio, &pool_attr) : NULL;
	REQUIRE(pool != NULL);
	REQUIRE(resmgr_pool_start(pool, 4) == 0);
	for (int i = 0; i < 6; i++)
		REQUIRE(pthread_create(&t[i], NULL, pool_client, NULL) == 0);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(pool_total, 6 * 200 * 3);
	CHECK_EQ(resmgr_open_count(pool), 0);
}

/* A concurrent manager (resmgr_concurrent): handlers overlap, each I/O
 * message runs between the server's lock_ocb and unlock_ocb for its open,
 * and a close that comes while a handler has the open (here: the client's
 * own, once the handler has answered it early) returns only after the
 * handler is done and the open closed. */
static int conc_chid;
static resmgr_t *conc;
static iofunc_attr_t conc_attr;
static int conc_inside, conc_most, conc_locks, conc_unlocks, conc_bad, conc_closes;
static volatile int conc_closed_early, conc_long_busy;
static iofunc_ocb_t *volatile conc_long_ocb;     /* the long write's open */

static void conc_lock(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	(void)ctp;
	if (__atomic_exchange_n((long *)&ocb->data, 1, __ATOMIC_ACQ_REL))
		__atomic_add_fetch(&conc_bad, 1, __ATOMIC_RELAXED);     /* held twice */
	__atomic_add_fetch(&conc_locks, 1, __ATOMIC_RELAXED);
}

static void conc_unlock(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	(void)ctp;
	__atomic_store_n((long *)&ocb->data, 0, __ATOMIC_RELEASE);
	__atomic_add_fetch(&conc_unlocks, 1, __ATOMIC_RELAXED);
}

static int conc_write(resmgr_context_t *ctp, const struct _io_write *m, iofunc_ocb_t *ocb)
{
	struct timespec ms = { 0, 2 * 1000 * 1000 };

	if (!__atomic_load_n((long *)&ocb->data, __ATOMIC_ACQUIRE))
		__atomic_add_fetch(&conc_bad, 1, __ATOMIC_RELAXED);     /* not locked */
	int now = __atomic_add_fetch(&conc_inside, 1, __ATOMIC_ACQ_REL);
	for (int most = __atomic_load_n(&conc_most, __ATOMIC_RELAXED); now > most;)
		if (__atomic_compare_exchange_n(&conc_most, &most, now, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			break;
	nanosleep(&ms, NULL);
	if (m->nbytes == 9) {   /* the long one: answered at once, then busy while it closes */
		conc_long_ocb = ocb;
		__atomic_store_n(&conc_long_busy, 1, __ATOMIC_RELEASE);
		MsgReply_r(ctp->rcvid, 9, NULL, 0);
		nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
		__atomic_store_n(&conc_long_busy, 0, __ATOMIC_RELEASE);
		__atomic_sub_fetch(&conc_inside, 1, __ATOMIC_ACQ_REL);
		return RESMGR_DONE;
	}
	__atomic_sub_fetch(&conc_inside, 1, __ATOMIC_ACQ_REL);
	return resmgr_reply(ctp, (long)m->nbytes, NULL, 0);
}

static int conc_close(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	if (ocb == conc_long_ocb && __atomic_load_n(&conc_long_busy, __ATOMIC_ACQUIRE))
		conc_closed_early = 1;
	__atomic_add_fetch(&conc_closes, 1, __ATOMIC_RELAXED);
	return iofunc_close_ocb_default(ctp, ocb);
}

static void *conc_client(void *arg)
{
	(void)arg;
	int fd = _connect_open(pid, conc_chid, 0, "", O_WRONLY, 0);
	for (int i = 0; fd >= 0 && i < 40; i++)
		write(fd, "abc", 3);
	close(fd);
	return NULL;
}

static void t_resmgr_concurrent__handlers_overlap_under_lock_ocb(void)
{
	static const resmgr_io_funcs_t cio = { .write = conc_write, .close_ocb = conc_close,
					       .lock_ocb = conc_lock, .unlock_ocb = conc_unlock };
	pthread_t t[6];

	conc_chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	iofunc_attr_init(&conc_attr, S_IFREG | 0666);
	conc = conc_chid >= 0 ? resmgr_create(conc_chid, NULL, &cio, &conc_attr) : NULL;
	REQUIRE(conc != NULL);
	resmgr_concurrent(conc);
	REQUIRE(resmgr_pool_start(conc, 4) == 0);
	for (int i = 0; i < 6; i++)
		REQUIRE(pthread_create(&t[i], NULL, conc_client, NULL) == 0);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	CHECK(conc_most >= 2);                  /* handlers did run at once */
	CHECK(conc_most <= 4);
	CHECK_EQ(conc_bad, 0);
	CHECK_EQ(conc_locks, 6 * 40);
	CHECK_EQ(conc_unlocks, 6 * 40);
	CHECK_EQ(conc_closes, 6);
	CHECK_EQ(resmgr_open_count(conc), 0);

	/* The client's close right after a write answered early, its
	 * handler still busy: the close returns once the open is closed. */
	int fd = _connect_open(pid, conc_chid, 0, "", O_WRONLY, 0);
	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "123456789", 9), 9);
	CHECK_EQ(conc_long_busy, 1);            /* answered, and still at work */
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(conc_long_busy, 0);
	CHECK_EQ(conc_closes, 7);               /* closed before close returned ... */
	CHECK_EQ(conc_closed_early, 0);         /* ... and not before the handler was done */
	CHECK_EQ(conc_bad, 0);
	CHECK_EQ(resmgr_open_count(conc), 0);
}

/* A client's unblock pulse handled before its request is parked: a pool
 * thread has received a read, another thread of the pool takes the pulse
 * of the signal that reached the client meanwhile and finds nothing to
 * unblock; the read must not then be parked for good.  The read handler
 * makes that order certain: it lets go of the handler lock, signals the
 * client, waits for the pulse to be handled, and parks. */
static resmgr_waitq_t ub_q;
static int ub_pulses, ub_found, ub_done;
static long ub_result;
static pthread_t ub_client;

static void ub_on_signal(int sig)
{
	(void)sig;
}

static int ub_unblock(resmgr_context_t *ctp, int rcvid)
{
	(void)ctp;
	ub_found += resmgr_waitq_unblock(&ub_q, rcvid, EINTR);
	__atomic_add_fetch(&ub_pulses, 1, __ATOMIC_RELEASE);
	return 0;
}

static int ub_read(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	resmgr_unlock(ctp->mgr);
	pthread_kill(__atomic_load_n(&ub_client, __ATOMIC_ACQUIRE), SIGUSR1);
	for (int i = 0; i < 2000 && !__atomic_load_n(&ub_pulses, __ATOMIC_ACQUIRE); i++)
		nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
	resmgr_lock(ctp->mgr);
	return resmgr_waitq_park(&ub_q, ctp, ocb, _IO_READ, m->nbytes);
}

static void *ub_reader(void *arg)
{
	char c;

	__atomic_store_n(&ub_client, pthread_self(), __ATOMIC_RELEASE);
	ssize_t n = read(*(int *)arg, &c, 1);
	ub_result = n < 0 ? -errno : n;
	__atomic_store_n(&ub_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void t_resmgr_waitq_park__after_the_unblock_pulse_is_EINTR(void)
{
	static const resmgr_io_funcs_t uio = { .read = ub_read, .unblock = ub_unblock };
	static iofunc_attr_t ub_attr;
	struct sigaction sa = { .sa_handler = ub_on_signal }, old;
	pthread_t t;

	int ub_chid = ChannelCreate(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);
	iofunc_attr_init(&ub_attr, S_IFREG | 0666);
	resmgr_t *ub = ub_chid >= 0 ? resmgr_create(ub_chid, NULL, &uio, &ub_attr) : NULL;
	REQUIRE(ub != NULL);
	REQUIRE(resmgr_pool_start(ub, 2) == 0);
	REQUIRE(sigaction(SIGUSR1, &sa, &old) == 0);      /* no SA_RESTART */
	int fd = _connect_open(pid, ub_chid, 0, "", O_RDONLY, 0);
	REQUIRE(fd >= 0);
	REQUIRE(pthread_create(&t, NULL, ub_reader, &fd) == 0);
	for (int i = 0; i < 3000 && !__atomic_load_n(&ub_done, __ATOMIC_ACQUIRE); i++)
		nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
	int done = __atomic_load_n(&ub_done, __ATOMIC_ACQUIRE);
	if (!done) {                            /* parked for good: let it go (EIO) */
		resmgr_lock(ub);
		resmgr_waitq_fail_all(&ub_q, EIO);
		resmgr_unlock(ub);
	}
	pthread_join(t, NULL);
	CHECK_EQ(done, 1);                      /* answered within 3 s ... */
	CHECK_EQ(ub_result, -EINTR);            /* ... with EINTR */
	CHECK_EQ(ub_pulses, 1);
	CHECK_EQ(ub_found, 0);                  /* the pulse came first */
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(sigaction(SIGUSR1, &old, NULL), 0);
}

static const struct conf_case cases[] = {
	CONF_CASE(open, first_fd_is_above_the_console),
	CONF_CASE(write, then_read_back_at_offset),
	CONF_CASE(write, large_buffer_crosses_the_receive_size),
	CONF_CASE(lseek, whence_and_errors),
	CONF_CASE(fstat, reports_size_and_mode),
	CONF_CASE(fstat, console_fd_is_a_character_device),
	CONF_CASE(dup, shares_the_offset),
	CONF_CASE(dup2, onto_the_chosen_number),
	CONF_CASE(close, then_io_is_EBADF),
	CONF_CASE(close, last_close_frees_the_open),
	CONF_CASE(read, write_only_open_is_EBADF),
	CONF_CASE(write, O_APPEND_writes_at_the_end),
	CONF_CASE(read, bad_buffer_is_EFAULT_and_server_serves),
	CONF_CASE(open, path_below_the_name_is_ENOENT),
	CONF_CASE(resmgr, short_message_is_EINVAL),
	CONF_CASE(resmgr, unknown_type_is_ENOSYS),
	CONF_CASE(resmgr, io_before_open_is_EBADF),
	CONF_CASE(resmgr, connect_path_must_lie_in_the_message),
	CONF_CASE(resmgr, write_longer_than_sent_is_EINVAL),
	CONF_CASE(resmgr, dup_of_unknown_connection_is_EBADF),
	CONF_CASE(resmgr, dup_naming_own_pid_shares_the_open),
	CONF_CASE(resmgr, dup_of_a_parents_open_only_while_starting),
	CONF_CASE(resmgr, devctl_server_and_default),
	CONF_CASE(resmgr, random_messages_leave_it_serving),
	CONF_CASE(resmgr, client_end_closes_its_opens_on_each_channel),
	CONF_CASE(resmgr_pool_start, handlers_run_one_at_a_time),
	CONF_CASE(resmgr_concurrent, handlers_overlap_under_lock_ocb),
	CONF_CASE(resmgr_waitq_park, after_the_unblock_pulse_is_EINTR),
};

int main(int argc, char **argv)
{
	pthread_t t;
	bool fuzz_only = argc >= 3 && strcmp(argv[1], "fuzz") == 0;   /* (then kernel words) */

	if (fuzz_only && (fuzz_messages = atol(argv[2])) < 5) {
		conf_line("conf-resmgr: fuzz N: N at least 5");
		return 2;
	}

	pid = getpid();
	chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	iofunc_attr_init(&attr, S_IFREG | 0666);
	mgr = resmgr_create(chid, NULL, &io, &attr);
	if (chid < 0 || !mgr || pthread_create(&t, NULL, server, NULL)) {
		conf_line("conf-resmgr: cannot start the server");
		return 2;
	}
	if (fuzz_only) {
		static const struct conf_case only[] = {
			CONF_CASE(resmgr, random_messages_leave_it_serving),
		};
		return conf_run("conf-resmgr", only, 1) ? 1 : 0;
	}
	return conf_run("conf-resmgr", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
}
