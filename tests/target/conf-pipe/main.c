/* conf-pipe: pipe(2) over /sbin/pipe, and FIFOs: mkfifo on a /sbin/tmpfs
 * at FT whose opens meet in /sbin/pipe; this program starts both as its
 * children and ends them when done.  Cases name the XSH page they check.
 * make run CMDLINE="init=/bin/conf-pipe" */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <devctl.h>
#include <stdio.h>
#include <keel/pipemsg.h>
#include <conf.h>
#include <server.h>

#define FT "/fifotmp"

static void t_pipe__data_goes_through_in_order(void)
{
	int p[2];
	char buf[32];

	REQUIRE(pipe(p) == 0);
	CHECK_EQ(write(p[1], "hello ", 6), 6);
	CHECK_EQ(write(p[1], "pipe", 4), 4);
	int n = -1;
	CHECK_EQ(ioctl(p[0], FIONREAD, &n), 0);
	CHECK_EQ(n, 10);
	CHECK_EQ(read(p[0], buf, sizeof buf), 10);
	CHECK(memcmp(buf, "hello pipe", 10) == 0);
	close(p[0]);
	close(p[1]);
}

/* A pipe's number (pipe()'s way to its write end) opens nothing for anyone
 * else, and nothing more for its maker: guessed, it would read another
 * user's pipe or write into it. */
static void t_pipe__its_number_opens_nothing_more(void)
{
	char path[40];
	int p[2], id = -1, st = -1;

	REQUIRE(pipe(p) == 0);
	REQUIRE(devctl(p[0], _DCMD_PIPE_ID, &id, sizeof id, NULL) == 0);
	snprintf(path, sizeof path, "%s/%d", PIPE_SERVER_PATH, id);
	CHECK_ERR(open(path, O_RDONLY), EACCES);
	CHECK_ERR(open(path, O_WRONLY), EACCES);        /* pipe() took it */
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(path, O_WRONLY);
		_exit(fd >= 0 ? 1 : errno == EACCES ? 0 : 2);
	}
	REQUIRE(pid > 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(write(p[1], "x", 1), 1);               /* the pipe is as it was */
	char c = 0;
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'x');
	close(p[0]);
	close(p[1]);
}

static void t_read__end_of_file_when_no_writer(void)
{
	int p[2];
	char buf[8];

	REQUIRE(pipe(p) == 0);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	close(p[1]);
	CHECK_EQ(read(p[0], buf, sizeof buf), 2);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	close(p[0]);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int s)
{
	(void)s;
	sigpipes++;
}

static void t_write__EPIPE_and_SIGPIPE_when_no_reader(void)
{
	struct sigaction a = { .sa_handler = on_sigpipe };
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int p[2];

	sigaction(SIGPIPE, &a, NULL);
	REQUIRE(pipe(p) == 0);
	close(p[0]);
	CHECK_ERR(write(p[1], "x", 1), EPIPE);
	for (int i = 0; i < 100 && !sigpipes; i++)
		nanosleep(&tick, NULL);
	CHECK_EQ(sigpipes, 1);
	close(p[1]);
}

struct slow_writer { int fd; };

static void *write_later(void *arg)
{
	struct timespec t = { 0, 50 * 1000 * 1000 };
	struct slow_writer *w = arg;

	nanosleep(&t, NULL);
	write(w->fd, "late", 4);
	return NULL;
}

static void t_read__blocked_reader_is_woken_by_a_write(void)
{
	int p[2];
	char buf[8];
	pthread_t t;

	REQUIRE(pipe(p) == 0);
	struct slow_writer w = { p[1] };
	REQUIRE(pthread_create(&t, NULL, write_later, &w) == 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 4);
	CHECK(memcmp(buf, "late", 4) == 0);
	pthread_join(t, NULL);
	close(p[0]);
	close(p[1]);
}

static void *drain_later(void *arg)
{
	struct timespec t = { 0, 50 * 1000 * 1000 };
	static char sink[20000];
	int fd = *(int *)arg;
	long total = 0, n;

	nanosleep(&t, NULL);
	while (total < 20000 && (n = read(fd, sink, sizeof sink)) > 0)
		total += n;
	return (void *)total;
}

static void t_write__blocked_writer_is_woken_by_a_read(void)
{
	static char big[20000];
	int p[2];
	pthread_t t;
	void *got;

	REQUIRE(pipe(p) == 0);
	REQUIRE(pthread_create(&t, NULL, drain_later, &p[0]) == 0);
	CHECK_EQ(write(p[1], big, sizeof big), (long)sizeof big);
	pthread_join(t, &got);
	CHECK_EQ((long)got, 20000);
	close(p[0]);
	close(p[1]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A write interrupted by a signal after some bytes went returns their
 * count (XSH write: "If write() is interrupted by a signal after it
 * successfully writes some data, it shall return the number of bytes
 * written"): here what fits in the pipe, then it waits, then SIGALRM. */
static void t_write__interrupted_after_some_bytes_returns_their_count(void)
{
	static char big[20000], sink[20000];
	struct sigaction a = { .sa_handler = on_alarm }, old;   /* no SA_RESTART */
	struct itimerval soon = { .it_value = { 0, 100 * 1000 } }, off = { 0 };
	int p[2];

	REQUIRE(pipe(p) == 0);
	sigaction(SIGALRM, &a, &old);
	REQUIRE(setitimer(ITIMER_REAL, &soon, NULL) == 0);
	long n = write(p[1], big, sizeof big);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	CHECK(n > 0 && n < (long)sizeof big);
	REQUIRE(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	long got = 0, r;
	while ((r = read(p[0], sink, sizeof sink)) > 0)
		got += r;
	CHECK_EQ(got, n);                       /* exactly what it said went */
	close(p[0]);
	close(p[1]);
}

struct parked_read {
	int fd, done;
	long r, err;
};

static void *read_parked(void *arg)
{
	struct parked_read *pr = arg;
	char c;

	pr->r = read(pr->fd, &c, 1);
	pr->err = pr->r < 0 ? errno : 0;
	__atomic_store_n(&pr->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Keel's answer for a read parked on an open that another thread closes:
 * nothing can ever be read there, so it ends with EBADF (a read left
 * parked would wait for ever, deaf to signals too). */
static void t_close__a_read_parked_on_the_closed_end_ends_with_EBADF(void)
{
	struct parked_read pr = { 0 };
	int p[2];
	pthread_t t;

	REQUIRE(pipe(p) == 0);
	pr.fd = p[0];
	REQUIRE(pthread_create(&t, NULL, read_parked, &pr) == 0);
	nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);     /* it is parked */
	CHECK_EQ(pr.done, 0);
	CHECK_EQ(close(p[0]), 0);
	for (int i = 0; i < 2000 && !__atomic_load_n(&pr.done, __ATOMIC_ACQUIRE); i++)
		nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
	int done = __atomic_load_n(&pr.done, __ATOMIC_ACQUIRE);
	CHECK_EQ(done, 1);
	if (done) {
		pthread_join(t, NULL);
		CHECK_EQ(pr.r, -1);
		CHECK_EQ(pr.err, EBADF);
	} else {
		pthread_detach(t);              /* stuck for good: the process's end frees it */
	}
	close(p[1]);
}

#define WRITERS 100
#define RECORDS 20
#define RECLEN  PIPE_BUF                /* atomic: never cut by another writer */

static void *writer(void *arg)
{
	int fd = (int)(long)arg >> 8, id = (int)(long)arg & 0xff;
	char rec[RECLEN];

	for (int s = 0; s < RECORDS; s++) {
		memset(rec, id, sizeof rec);
		rec[1] = (char)s;
		if (write(fd, rec, sizeof rec) != (long)sizeof rec)
			return (void *)1;
	}
	return NULL;
}

static void t_write__100_writers_every_record_once_and_whole(void)
{
	static pthread_t t[WRITERS];
	static unsigned char seen[WRITERS][RECORDS];
	static char rec[RECLEN];
	int p[2], torn = 0, dup = 0;

	pthread_attr_t a;

	REQUIRE(pipe(p) == 0);
	memset(seen, 0, sizeof seen);
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 16384);  /* 100 threads: 1.6 MiB of heap */
	for (long i = 0; i < WRITERS; i++)
		REQUIRE(pthread_create(&t[i], &a, writer, (void *)((long)p[1] << 8 | i)) == 0);
	for (int r = 0; r < WRITERS * RECORDS; r++) {
		size_t have = 0;
		while (have < sizeof rec) {
			long n = read(p[0], rec + have, sizeof rec - have);
			REQUIRE(n > 0);
			have += (size_t)n;
		}
		unsigned id = (unsigned char)rec[0], s = (unsigned char)rec[1];
		REQUIRE(id < WRITERS && s < RECORDS);
		for (size_t k = 2; k < sizeof rec; k++)
			torn |= (unsigned char)rec[k] != id;
		dup |= seen[id][s]++;
	}
	for (int i = 0; i < WRITERS; i++) {
		void *st;
		pthread_join(t[i], &st);
		CHECK(st == NULL);
	}
	CHECK(!torn);
	CHECK(!dup);
	int n = -1;
	CHECK_EQ(ioctl(p[0], FIONREAD, &n), 0);
	CHECK_EQ(n, 0);
	close(p[0]);
	close(p[1]);
}

/* A pipe has no positions (XSH pread: ESPIPE), and a failed pread or
 * pwrite moves no data. */
static void t_pread__and_pwrite_on_a_pipe_are_ESPIPE(void)
{
	int p[2];
	char c = 0;

	REQUIRE(pipe(p) == 0);
	CHECK_ERR(pwrite(p[1], "z", 1, 0), ESPIPE);
	CHECK_EQ(write(p[1], "y", 1), 1);
	CHECK_ERR(pread(p[0], &c, 1, 0), ESPIPE);
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'y');
	close(p[0]);
	close(p[1]);
}

static void t_ioctl__unknown_request_is_ENOTTY(void)
{
	int p[2], n;

	REQUIRE(pipe(p) == 0);
	CHECK_ERR(ioctl(p[0], 0x7777, &n), ENOTTY);
	CHECK_EQ(isatty(p[0]), 0);
	close(p[0]);
	close(p[1]);
}


/* ---- poll and select ------------------------------------------------------------ */

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static short poll1(int fd, short events, int timeout)
{
	struct pollfd p = { .fd = fd, .events = events, .revents = -1 };
	int n = poll(&p, 1, timeout);

	return n < 0 ? -1 : n == 0 ? (p.revents == 0 ? 0 : -2) : p.revents;
}

static void t_poll__pipe_ends_report_data_room_hangup_and_error(void)
{
	int p[2];
	char c;

	REQUIRE(pipe(p) == 0);
	CHECK_EQ(poll1(p[0], POLLIN, 0), 0);                    /* empty: not readable */
	CHECK_EQ(poll1(p[1], POLLOUT, 0), POLLOUT);             /* room */
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(poll1(p[0], POLLIN | POLLRDNORM, 0), POLLIN | POLLRDNORM);
	CHECK_EQ(poll1(p[0], POLLOUT, 0), 0);                   /* not asked: not told */
	close(p[1]);
	CHECK_EQ(poll1(p[0], POLLIN, 0), POLLIN | POLLHUP);     /* data, and no writer */
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(poll1(p[0], POLLIN, 0), POLLHUP);              /* hung up, asked or not */
	close(p[0]);
	REQUIRE(pipe(p) == 0);
	close(p[0]);
	CHECK_EQ(poll1(p[1], POLLOUT, 0), POLLERR);             /* no reader */
	close(p[1]);
}

static void *write_fd_later(void *arg)
{
	struct timespec t = { 0, 80 * 1000 * 1000 };

	nanosleep(&t, NULL);
	return (void *)(long)write(*(int *)arg, "late", 4);
}

static void t_poll__waits_until_a_write_arrives(void)
{
	int p[2];
	pthread_t t;
	void *wrote;
	struct timespec t0;

	REQUIRE(pipe(p) == 0);
	REQUIRE(pthread_create(&t, NULL, write_fd_later, &p[1]) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct pollfd fds[2] = { { .fd = p[0], .events = POLLIN }, { .fd = -1, .events = POLLIN } };
	CHECK_EQ(poll(fds, 2, 10000), 1);
	long ms = ms_since(&t0);
	CHECK_EQ(fds[0].revents, POLLIN);
	CHECK_EQ(fds[1].revents, 0);                            /* a negative fd is skipped */
	CHECK(ms >= 60 && ms < 5000);                           /* it waited, for the write */
	pthread_join(t, &wrote);
	CHECK_EQ((long)wrote, 4);
	close(p[0]);
	close(p[1]);
}

static void t_poll__timeout_passes_and_bad_fd_is_POLLNVAL(void)
{
	int p[2];
	struct timespec t0;

	REQUIRE(pipe(p) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(poll1(p[0], POLLIN, 100), 0);
	long ms = ms_since(&t0);
	CHECK(ms >= 90 && ms < 5000);
	struct pollfd bad = { .fd = 999, .events = POLLIN };
	CHECK_EQ(poll(&bad, 1, 0), 1);
	CHECK_EQ(bad.revents, POLLNVAL);
	CHECK_ERR(poll((struct pollfd *)8, 1, 0), EFAULT);
	close(p[0]);
	close(p[1]);
}

static void t_select__read_and_write_sets_of_a_pipe(void)
{
	int p[2];
	fd_set rd, wr;
	struct timeval zero = { 0, 0 }, wait = { 5, 0 };
	pthread_t t;

	REQUIRE(pipe(p) == 0);
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	CHECK_EQ(select(p[1] + 1, &rd, &wr, NULL, &zero), 1);  /* only the write end */
	CHECK(!FD_ISSET(p[0], &rd));
	CHECK(FD_ISSET(p[1], &wr));
	REQUIRE(pthread_create(&t, NULL, write_fd_later, &p[1]) == 0);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK_EQ(select(p[0] + 1, &rd, NULL, NULL, &wait), 1);  /* woken by the write */
	CHECK(FD_ISSET(p[0], &rd));
	pthread_join(t, NULL);
	FD_ZERO(&rd);
	FD_SET(40, &rd);                                        /* not open */
	CHECK_ERR(select(41, &rd, NULL, NULL, &zero), EBADF);
	close(p[0]);
	close(p[1]);
}

/* An fd_set holds every descriptor a process can have (XBD <sys/select.h>:
 * FD_SETSIZE is the most fds a set holds; the package's 64 let FD_SET and
 * select write past the set for a descriptor above 63, here into what
 * follows it). */
static void t_select__a_descriptor_past_63_in_its_set(void)
{
	int p[2];
	struct {
		fd_set rd;
		unsigned char after[64];
	} s;
	struct timeval zero = { 0, 0 };

	CHECK(FD_SETSIZE >= sysconf(_SC_OPEN_MAX));
	REQUIRE(pipe(p) == 0);
	int hi = 200;
	REQUIRE(dup2(p[0], hi) == hi);
	REQUIRE(write(p[1], "x", 1) == 1);
	memset(s.after, 0x5a, sizeof s.after);
	FD_ZERO(&s.rd);
	FD_SET(hi, &s.rd);
	CHECK_EQ(select(hi + 1, &s.rd, NULL, NULL, &zero), 1);
	CHECK(FD_ISSET(hi, &s.rd));
	for (size_t i = 0; i < sizeof s.after; i++)
		CHECK_EQ(s.after[i], 0x5a);
	close(hi);
	close(p[0]);
	close(p[1]);
}

/* A timeout too long to count in nanoseconds waits as long as no timeout
 * (18446744074 s would wrap round to under a second), and an
 * unnormalized one is EINVAL. */
static void t_pselect__a_timeout_too_long_to_count_waits_for_a_signal(void)
{
	int p[2];
	fd_set rd;
	struct timespec huge = { 18446744074, 0 }, bad = { 0, 1000000000 }, t0;
	struct timeval badtv = { 0, -1 };
	struct sigaction a = { .sa_handler = on_alarm }, old;

	REQUIRE(pipe(p) == 0);
	REQUIRE(sigaction(SIGALRM, &a, &old) == 0);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK_ERR(pselect(p[0] + 1, &rd, NULL, NULL, &bad, NULL), EINVAL);
	CHECK_ERR(select(p[0] + 1, &rd, NULL, NULL, &badtv), EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(1);
	CHECK_ERR(pselect(p[0] + 1, &rd, NULL, NULL, &huge, NULL), EINTR);
	long ms = ms_since(&t0);
	CHECK(ms >= 900 && ms < 10000);
	sigaction(SIGALRM, &old, NULL);
	close(p[0]);
	close(p[1]);
}

/* ---- FIFOs -------------------------------------------------------------------- */

static void t_mkfifo__makes_a_node_stat_shows_as_S_IFIFO(void)
{
	struct stat st;
	mode_t old = umask(022);

	CHECK_EQ(mkfifo(FT "/f1", 0666), 0);
	umask(old);
	REQUIRE(stat(FT "/f1", &st) == 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0644);              /* the umask applied */
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(unlink(FT "/f1"), 0);
}

static void t_mkfifo__EEXIST_when_the_path_exists(void)
{
	int fd = open(FT "/reg", O_WRONLY | O_CREAT, 0600);

	REQUIRE(fd >= 0);
	close(fd);
	CHECK_EQ(mkfifo(FT "/f2", 0600), 0);
	CHECK_ERR(mkfifo(FT "/f2", 0600), EEXIST);
	CHECK_ERR(mkfifo(FT "/reg", 0600), EEXIST);
	CHECK_ERR(mkfifo(FT, 0600), EEXIST);            /* the mount's directory */
	CHECK_ERR(mkfifo(FT "/none/f", 0600), ENOENT);
	CHECK_ERR(mkfifo((const char *)8, 0600), EFAULT);
	unlink(FT "/f2");
	unlink(FT "/reg");
}

static void t_open__FIFO_O_RDONLY_O_NONBLOCK_opens_at_once(void)
{
	char c;

	REQUIRE(mkfifo(FT "/f3", 0600) == 0);
	int fd = open(FT "/f3", O_RDONLY | O_NONBLOCK);
	CHECK(fd >= 0);
	CHECK_EQ(read(fd, &c, 1), 0);                   /* no writer: end of file */
	close(fd);
	unlink(FT "/f3");
}

static void t_open__FIFO_O_WRONLY_O_NONBLOCK_without_reader_is_ENXIO(void)
{
	REQUIRE(mkfifo(FT "/f4", 0600) == 0);
	CHECK_ERR(open(FT "/f4", O_WRONLY | O_NONBLOCK), ENXIO);
	int rd = open(FT "/f4", O_RDONLY | O_NONBLOCK);
	CHECK(rd >= 0);
	int wr = open(FT "/f4", O_WRONLY | O_NONBLOCK);      /* a reader now */
	CHECK(wr >= 0);
	close(wr);
	close(rd);
	unlink(FT "/f4");
}

struct fifo_opener {
	const char *path;
	int flags;
	volatile int fd;                /* -2 until the open returned */
	int err;
};

static void *open_fifo(void *arg)
{
	struct fifo_opener *o = arg;
	int fd = open(o->path, o->flags);

	o->err = fd < 0 ? errno : 0;
	o->fd = fd;
	return NULL;
}

/* Starts a thread opening path with flags, checks it is still waiting
 * 100 ms later, then opens the other end (other_flags) here and checks the
 * thread's open returned: the fd of the other end, or -1. */
static int open_pair(pthread_t *t, struct fifo_opener *o, int other_flags)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };

	o->fd = -2;
	if (pthread_create(t, NULL, open_fifo, o))
		return -1;
	nanosleep(&tick, NULL);
	CHECK_EQ(o->fd, -2);                            /* still waiting for the other end */
	int fd = open(o->path, other_flags);
	CHECK(fd >= 0);
	pthread_join(*t, NULL);
	CHECK(o->fd >= 0);
	return fd;
}

/* An open of a new FIFO at path with `waits` (O_RDONLY or O_WRONLY) waits
 * for the other end; then data goes from the write end to the read end, and
 * end of file follows the writer's close. */
static void fifo_end_waits(const char *path, int waits)
{
	struct fifo_opener o = { path, waits, -2, 0 };
	pthread_t t;
	char buf[8];

	REQUIRE(mkfifo(path, 0600) == 0);
	int other = open_pair(&t, &o, waits == O_RDONLY ? O_WRONLY : O_RDONLY);
	int rd = waits == O_RDONLY ? o.fd : other, wr = waits == O_RDONLY ? other : o.fd;
	if (rd >= 0 && wr >= 0) {
		CHECK_EQ(write(wr, "abc", 3), 3);
		close(wr);
		CHECK_EQ(read(rd, buf, sizeof buf), 3);
		CHECK(memcmp(buf, "abc", 3) == 0);
		CHECK_EQ(read(rd, buf, sizeof buf), 0);  /* the writer closed */
	} else {
		close(wr);
	}
	close(rd);
	unlink(path);
}

static void t_open__FIFO_reader_waits_for_a_writer(void)
{
	fifo_end_waits(FT "/f5", O_RDONLY);
}

static void t_open__FIFO_writer_waits_for_a_reader(void)
{
	fifo_end_waits(FT "/f6", O_WRONLY);
}

static void t_open__two_opens_of_one_FIFO_share_one_pipe(void)
{
	struct stat st, fst;
	char buf[8];

	REQUIRE(mkfifo(FT "/f7", 0600) == 0);
	int rd = open(FT "/f7", O_RDONLY | O_NONBLOCK);
	int wr1 = open(FT "/f7", O_WRONLY);
	int wr2 = open(FT "/f7", O_WRONLY);
	REQUIRE(rd >= 0 && wr1 >= 0 && wr2 >= 0);
	CHECK_EQ(write(wr1, "one", 3), 3);
	CHECK_EQ(write(wr2, "two", 3), 3);
	CHECK_EQ(read(rd, buf, sizeof buf), 6);
	CHECK(memcmp(buf, "onetwo", 6) == 0);
	CHECK_EQ(stat(FT "/f7", &st), 0);
	CHECK_EQ(fstat(rd, &fst), 0);
	CHECK(S_ISFIFO(fst.st_mode));
	CHECK_EQ(fst.st_ino, st.st_ino);                /* fstat names the node stat does */
	CHECK_EQ(fst.st_dev, st.st_dev);
	CHECK_ERR(lseek(rd, 0, SEEK_SET), ESPIPE);
	close(wr1);
	close(wr2);
	close(rd);
	unlink(FT "/f7");
}

static void t_unlink__removes_a_FIFO_name_its_opens_go_on(void)
{
	struct stat st;
	char buf[4];

	REQUIRE(mkfifo(FT "/f8", 0600) == 0);
	int rd = open(FT "/f8", O_RDONLY | O_NONBLOCK);
	int wr = open(FT "/f8", O_WRONLY);
	REQUIRE(rd >= 0 && wr >= 0);
	CHECK_EQ(unlink(FT "/f8"), 0);
	CHECK_ERR(stat(FT "/f8", &st), ENOENT);
	CHECK_ERR(open(FT "/f8", O_RDONLY | O_NONBLOCK), ENOENT);
	CHECK_EQ(write(wr, "ok", 2), 2);
	CHECK_EQ(read(rd, buf, sizeof buf), 2);
	close(wr);
	close(rd);
}

static void t_open__FIFO_open_interrupted_by_a_signal_is_EINTR(void)
{
	struct sigaction a = { .sa_handler = on_alarm }, old;
	struct itimerval soon = { .it_value = { 0, 100 * 1000 } }, off = { 0 };

	REQUIRE(mkfifo(FT "/f9", 0600) == 0);
	sigaction(SIGALRM, &a, &old);
	REQUIRE(setitimer(ITIMER_REAL, &soon, NULL) == 0);
	CHECK_ERR(open(FT "/f9", O_RDONLY), EINTR);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	/* The interrupted reader no longer counts: a writer finds none. */
	CHECK_ERR(open(FT "/f9", O_WRONLY | O_NONBLOCK), ENXIO);
	unlink(FT "/f9");
}

/* open is a cancellation point (XSH 2.9.5.2), and an open of a FIFO
 * waits for the other end (XSH open): a deferred request made while it
 * waits ends the thread, its cleanup handler run, and leaves no reader
 * counted and no connection behind. */
static volatile int fifo_open_result;
static sem_t fifo_open_ended;

static void fifo_open_cleanup(void *arg)
{
	(void)arg;
	sem_post(&fifo_open_ended);
}

static void *open_fifo_for_reading(void *arg)
{
	pthread_cleanup_push(fifo_open_cleanup, NULL);
	fifo_open_result = open((const char *)arg, O_RDONLY);
	pthread_cleanup_pop(0);
	return NULL;
}

static void t_open__FIFO_open_waiting_for_a_writer_is_a_cancellation_point(void)
{
	pthread_t t;
	void *v = NULL;
	struct timespec wait = { 0, 50 * 1000 * 1000 }, until;
	int p[2];

	REQUIRE(mkfifo(FT "/f12", 0600) == 0);
	REQUIRE(pipe(p) == 0);                          /* p[0]: the lowest free fd now */
	close(p[0]);
	close(p[1]);
	fifo_open_result = -100;
	REQUIRE(sem_init(&fifo_open_ended, 0, 0) == 0);
	REQUIRE(pthread_create(&t, NULL, open_fifo_for_reading, FT "/f12") == 0);
	nanosleep(&wait, NULL);                         /* into the open's wait */
	CHECK_EQ(pthread_cancel(t), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	int ended = sem_timedwait(&fifo_open_ended, &until);
	CHECK_EQ(ended, 0);                             /* cancelled within 5 s */
	if (ended != 0) {                               /* still waiting: a writer lets it go */
		int w = open(FT "/f12", O_WRONLY | O_NONBLOCK);
		pthread_join(t, &v);
		close(w);
		if (fifo_open_result >= 0)
			close(fifo_open_result);
		unlink(FT "/f12");
		return;
	}
	CHECK_EQ(pthread_join(t, &v), 0);
	CHECK(v == PTHREAD_CANCELED);
	CHECK_EQ(fifo_open_result, -100);               /* open never returned */
	/* The cancelled reader no longer counts, and its fd number is free. */
	CHECK_ERR(open(FT "/f12", O_WRONLY | O_NONBLOCK), ENXIO);
	int q[2];
	CHECK_EQ(pipe(q), 0);
	CHECK_EQ(q[0], p[0]);
	close(q[0]);
	close(q[1]);
	unlink(FT "/f12");
}

static void t_open__FIFO_permission_is_the_nodes(void)
{
	struct stat st;

	REQUIRE(mkfifo(FT "/f10", 0600) == 0);
	REQUIRE(chmod(FT "/f10", 0400) == 0);
	CHECK_EQ(stat(FT "/f10", &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0400);
	int rd = open(FT "/f10", O_RDONLY | O_NONBLOCK);
	CHECK(rd >= 0);
	if (geteuid() != 0)                             /* root passes any check */
		CHECK_ERR(open(FT "/f10", O_WRONLY | O_NONBLOCK), EACCES);
	CHECK_ERR(open(FT "/f10/", O_RDONLY | O_NONBLOCK), ENOTDIR);
	CHECK_ERR(open(FT "/f10", O_RDONLY | O_CREAT | O_EXCL, 0600), EEXIST);
	close(rd);
	unlink(FT "/f10");
}

/* The pipe server's name of a FIFO ("/dev/pipe/fifo/<dev>.<ino>") opens
 * only what the file system granted after its own permission check, once:
 * typed in directly, by root or anyone, it is EACCES; only root may
 * grant.  (Before grants, any user opened any FIFO by its numbers.) */
static void t_open__FIFO_pipe_name_opens_only_what_the_file_system_granted(void)
{
	struct stat st;
	char path[80];
	int status = -1;

	REQUIRE(mkfifo(FT "/f11", 0600) == 0);
	REQUIRE(stat(FT "/f11", &st) == 0);
	snprintf(path, sizeof path, PIPE_FIFO_PREFIX "%llu.%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	CHECK_ERR(open(path, O_RDONLY | O_NONBLOCK), EACCES);
	int rd = open(FT "/f11", O_RDONLY | O_NONBLOCK);        /* granted, then opened */
	CHECK(rd >= 0);
	CHECK_ERR(open(path, O_RDONLY | O_NONBLOCK), EACCES);   /* the grant is used up */
	pid_t pid = fork();
	if (pid == 0) {
		struct pipe_fifo_grant g = { .pid = getpid(), .mode = O_WRONLY,
					     .dev = (uint64_t)st.st_dev, .ino = (uint64_t)st.st_ino };
		int p[2];
		if (setuid(100) || pipe(p))
			_exit(10);
		if (open(FT "/f11", O_WRONLY | O_NONBLOCK) >= 0 || errno != EACCES)
			_exit(11);                      /* the node says no */
		if (open(path, O_WRONLY | O_NONBLOCK) >= 0 || errno != EACCES)
			_exit(12);                      /* and so does the pipe server */
		if (devctl(p[0], _DCMD_PIPE_FIFO_GRANT, &g, sizeof g, NULL) != EPERM)
			_exit(13);                      /* nor may a user grant itself */
		if (open(path, O_WRONLY | O_NONBLOCK) >= 0 || errno != EACCES)
			_exit(14);
		_exit(0);
	}
	REQUIRE(pid > 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	int wr = open(FT "/f11", O_WRONLY | O_NONBLOCK);        /* root's, by the name */
	CHECK(wr >= 0);
	CHECK_EQ(write(wr, "x", 1), 1);
	char c = 0;
	CHECK_EQ(read(rd, &c, 1), 1);
	CHECK_EQ(c, 'x');
	close(wr);
	close(rd);
	unlink(FT "/f11");
}

/* PIPE_BUF as fpathconf gives it is the pipe's atomic size: a writev of
 * that many bytes in two vectors, with less room than that, goes in whole
 * or not at all (O_NONBLOCK: EAGAIN, nothing taken); one byte less than
 * the room goes in at once. */
static void t_fpathconf__PIPE_BUF_is_what_a_pipe_writes_whole(void)
{
	static char fill[8192], rec[PIPE_BUF];
	int p[2], n = 0;

	REQUIRE(pipe(p) == 0);
	CHECK_EQ(fpathconf(p[0], _PC_PIPE_BUF), PIPE_BUF);
	CHECK_EQ(fpathconf(p[1], _PC_PIPE_BUF), PIPE_BUF);
	CHECK_EQ(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	ssize_t w, total = 0;
	while ((w = write(p[1], fill, 64)) > 0)        /* fill it up */
		total += w;
	REQUIRE(total > PIPE_BUF);
	char one[64];
	CHECK_EQ(read(p[0], one, sizeof one), (long)sizeof one);   /* 64 bytes of room */
	memset(rec, 'r', sizeof rec);
	struct iovec v[2] = { { rec, PIPE_BUF / 2 }, { rec + PIPE_BUF / 2, PIPE_BUF - PIPE_BUF / 2 } };
	CHECK_ERR(writev(p[1], v, 2), EAGAIN);
	CHECK_EQ(ioctl(p[0], FIONREAD, &n), 0);
	CHECK_EQ(n, total - 64);                        /* nothing of it went in */
	v[0].iov_len = 31;
	v[1].iov_len = 32;
	CHECK_EQ(writev(p[1], v, 2), 63);
	close(p[0]);
	close(p[1]);
}

static const struct conf_case cases[] = {
	CONF_CASE(pipe, data_goes_through_in_order),
	CONF_CASE(pipe, its_number_opens_nothing_more),
	CONF_CASE(read, end_of_file_when_no_writer),
	CONF_CASE(write, EPIPE_and_SIGPIPE_when_no_reader),
	CONF_CASE(read, blocked_reader_is_woken_by_a_write),
	CONF_CASE(write, blocked_writer_is_woken_by_a_read),
	CONF_CASE(write, interrupted_after_some_bytes_returns_their_count),
	CONF_CASE(close, a_read_parked_on_the_closed_end_ends_with_EBADF),
	CONF_CASE(pread, and_pwrite_on_a_pipe_are_ESPIPE),
	CONF_CASE(write, 100_writers_every_record_once_and_whole),
	CONF_CASE(ioctl, unknown_request_is_ENOTTY),
	CONF_CASE(poll, pipe_ends_report_data_room_hangup_and_error),
	CONF_CASE(poll, waits_until_a_write_arrives),
	CONF_CASE(poll, timeout_passes_and_bad_fd_is_POLLNVAL),
	CONF_CASE(select, read_and_write_sets_of_a_pipe),
	CONF_CASE(select, a_descriptor_past_63_in_its_set),
	CONF_CASE(pselect, a_timeout_too_long_to_count_waits_for_a_signal),
	CONF_CASE(mkfifo, makes_a_node_stat_shows_as_S_IFIFO),
	CONF_CASE(mkfifo, EEXIST_when_the_path_exists),
	CONF_CASE(open, FIFO_O_RDONLY_O_NONBLOCK_opens_at_once),
	CONF_CASE(open, FIFO_O_WRONLY_O_NONBLOCK_without_reader_is_ENXIO),
	CONF_CASE(open, FIFO_reader_waits_for_a_writer),
	CONF_CASE(open, FIFO_writer_waits_for_a_reader),
	CONF_CASE(open, two_opens_of_one_FIFO_share_one_pipe),
	CONF_CASE(unlink, removes_a_FIFO_name_its_opens_go_on),
	CONF_CASE(open, FIFO_open_interrupted_by_a_signal_is_EINTR),
	CONF_CASE(open, FIFO_open_waiting_for_a_writer_is_a_cancellation_point),
	CONF_CASE(open, FIFO_permission_is_the_nodes),
	CONF_CASE(open, FIFO_pipe_name_opens_only_what_the_file_system_granted),
	CONF_CASE(fpathconf, PIPE_BUF_is_what_a_pipe_writes_whole),
};

int main(void)
{
	int status;
	pid_t pid = conf_start_pipe("conf-pipe");

	if (pid < 0)
		return 2;
	char *tmpfs[] = { "/sbin/tmpfs", FT, NULL };
	pid_t fs = conf_start_server(tmpfs, FT);
	if (fs < 0) {
		conf_line("conf-pipe: cannot start /sbin/tmpfs on %s", FT);
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		return 2;
	}
	int r = conf_run("conf-pipe", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
	kill(fs, SIGKILL);
	waitpid(fs, NULL, 0);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return r;
}
