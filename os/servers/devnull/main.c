/* devnull: the data devices.
 *   /dev/null     reads end of file, writes vanish;
 *   /dev/zero     reads zeros, writes vanish;
 *   /dev/full     reads zeros, writes fail ENOSPC;
 *   /dev/random, /dev/urandom   a ChaCha20 generator (chacha.h), seeded
 *                 from the 16 random bytes taskman gave this process
 *                 (AT_RANDOM) and the clocks; writes are mixed into it.
 * One manager (channel and thread) per device.  A read replies at most
 * READ_MAX bytes (a short read, as POSIX allows for these devices). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <time.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>
#include <unistd.h>
#include "chacha.h"

#define READ_MAX 4096u

enum dev_kind { DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM };

static struct csprng rng;
static pthread_mutex_t rng_lock = PTHREAD_MUTEX_INITIALIZER;
static const uint8_t zeros[READ_MAX];

static enum dev_kind kind_of(const iofunc_ocb_t *ocb)
{
	return (enum dev_kind)(uintptr_t)ocb->attr->data;
}

static int dev_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	static uint8_t buf[READ_MAX];
	size_t n = msg->nbytes < READ_MAX ? (size_t)msg->nbytes : READ_MAX;

	if ((ocb->ioflag & O_ACCMODE) == O_WRONLY)
		return EBADF;
	switch (kind_of(ocb)) {
	case DEV_NULL:
		return resmgr_reply(ctp, 0, NULL, 0);
	case DEV_RANDOM:
		pthread_mutex_lock(&rng_lock);
		csprng_read(&rng, buf, n);
		resmgr_reply(ctp, (long)n, buf, n);
		pthread_mutex_unlock(&rng_lock);
		return RESMGR_DONE;
	default:
		return resmgr_reply(ctp, (long)n, zeros, n);
	}
}

/* Writes to the generator stir it (at most READ_MAX bytes of each). */
static void stir(resmgr_context_t *ctp, uint64_t nbytes)
{
	uint8_t buf[256];
	size_t off = 0, left = nbytes < READ_MAX ? (size_t)nbytes : READ_MAX;

	while (left) {
		size_t n = left < sizeof buf ? left : sizeof buf;
		long got = resmgr_msgread(ctp, buf, n, sizeof(struct _io_write) + off);
		if (got <= 0)
			return;
		pthread_mutex_lock(&rng_lock);
		csprng_seed(&rng, buf, (size_t)got);
		pthread_mutex_unlock(&rng_lock);
		off += (size_t)got;
		left -= (size_t)got;
	}
}

static int dev_write(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb)
{
	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (kind_of(ocb) == DEV_FULL)
		return msg->nbytes ? ENOSPC : resmgr_reply(ctp, 0, NULL, 0);
	if (kind_of(ocb) == DEV_RANDOM)
		stir(ctp, msg->nbytes);
	return RESMGR_DEFAULT;
}

/* The process's AT_RANDOM bytes, when libc kept the auxiliary vector. */
extern void *__auxv;

static void seed(void)
{
	struct { uint8_t at_random[16]; struct timespec mono, real; uint64_t cycles; } s;

	memset(&s, 0, sizeof s);
	for (const uint64_t *a = __auxv; a && a[0] != AT_NULL; a += 2)
		if (a[0] == AT_RANDOM && a[1])
			memcpy(s.at_random, (const void *)(uintptr_t)a[1], sizeof s.at_random);
	clock_gettime(CLOCK_MONOTONIC, &s.mono);
	clock_gettime(CLOCK_REALTIME, &s.real);
	__asm__ volatile("rdtime %0" : "=r"(s.cycles));
	csprng_seed(&rng, &s, sizeof s);
	memset(&s, 0, sizeof s);
}

static void *serve(void *arg)
{
	resmgr_loop(arg);
	return NULL;
}

static int start(const char *path, enum dev_kind kind, iofunc_attr_t *attr)
{
	static const resmgr_io_funcs_t io = { .read = dev_read, .write = dev_write };
	pthread_t t;
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);
	resmgr_t *m;

	iofunc_attr_init(attr, S_IFCHR | 0666);
	attr->data = (void *)(uintptr_t)kind;
	m = chid >= 0 ? resmgr_create(chid, NULL, &io, attr) : NULL;
	if (!m || pthread_create(&t, NULL, serve, m) || resmgr_attach(m, path, _FTYPE_ANY, 0) < 0) {
		fprintf(stderr, "devnull: cannot serve %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(void)
{
	static const struct { const char *path; enum dev_kind kind; } devs[] = {
		{ "/dev/null", DEV_NULL }, { "/dev/zero", DEV_ZERO }, { "/dev/full", DEV_FULL },
		{ "/dev/random", DEV_RANDOM }, { "/dev/urandom", DEV_RANDOM },
	};
	static iofunc_attr_t attrs[sizeof devs / sizeof devs[0]];

	seed();
	for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++)
		if (start(devs[i].path, devs[i].kind, &attrs[i]) < 0)
			return 1;
	for (;;) {
		struct timespec hour = { 3600, 0 };
		nanosleep(&hour, NULL);
	}
}
