/* cutload: the workload of the power-cut suite (tests/test_powercut.py), and its checker.
 *
 *   cutload run DIR SEED
 *   cutload check DIR SEED DONE INFLIGHT
 *
 * run: in DIR (made if absent) it changes a pool of files, one operation at a time, until
 * it is killed or the power goes: creates a file, replaces one through a temporary name
 * and rename, overwrites a range in place (which may extend the file), truncates (shorter,
 * or longer with a hole), appends, unlinks.  Every operation ends with fsync of the file
 * and, where a name came or went, of the directory (POSIX: that makes the name durable).
 * Before an operation it prints
 *     cutload: begin N OP NAME [AFTER]
 * and when the operation is durable
 *     cutload: done N STATE
 * STATE says the whole file, so it can be checked byte for byte: `NAME:SIZE:EXTENTS`,
 * where EXTENTS is `V@START+LEN,...` covering [0, SIZE) in order (V 0 is a hole, read as
 * zeros; any other V is a version whose bytes are a function of V and the offset), or
 * `NAME:gone`.  AFTER, for the atomic operations (rename, unlink), is the STATE the name
 * has once the operation is done: across a cut the name holds either its last STATE or
 * AFTER, nothing in between.  Each line waits for the console to send it (tcdrain) before
 * the next step, so a line the farm did not see was not followed by the step it names.
 *
 * check: replays the run's first DONE operations without touching the disk (the run is a
 * function of its seed: every choice comes from the seeded generator, none from what a
 * call returned), and, with INFLIGHT 1, takes operation DONE+1 as begun and not done.
 * Then it checks every name of the pool against what the replay says it holds: a STATE
 * byte for byte, or for the operation in flight either of its two STATEs (rename,
 * unlink) or anything that reads to its end without an error (the rest); and that the
 * directory holds no other name but the temporary one.  Per name it prints
 *     cutload: NAME ok EXPECT        or        cutload: NAME BAD EXPECT: why
 * where EXPECT is the STATE (alternatives joined by '|', or NAME:any), so the farm can
 * hold the replay to the STATEs it logged; exit status 1 if anything differed.
 *
 * The byte at offset O of version V: byte O%8 of mix(V << 40 ^ O / 8), mix a 64-bit
 * finaliser; tests/test_powercut.py does not need to compute it, only to carry STATEs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define NAMES       12
#define MAX_EXT     8
#define MAX_SIZE    (384u * 1024)       /* past the 12 direct blocks, into single indirect */
#define CHUNK       (64u * 1024)
#define TMP_NAME    "cut.tmp"

struct ext {
	uint32_t v;
	uint64_t start, len;
};

struct file {
	bool exists;
	unsigned n;
	struct ext e[MAX_EXT];
};

static struct file files[NAMES];
static uint64_t rng;
static uint32_t next_version;
static int dirfd_;
static const char *dir;
static bool tty, dry;               /* dry: a replay, no call made */
static unsigned char buf[CHUNK], want[CHUNK];

static uint32_t rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/* The bytes of version v over [off, off+len) into p. */
static void fill(unsigned char *p, uint32_t v, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++, off++)
		p[i] = v ? (unsigned char)(mix((uint64_t)v << 40 ^ off / 8) >> (off % 8 * 8)) : 0;
}

static void die(const char *what, const char *name)
{
	printf("cutload: %s %s: %s\n", what, name, strerror(errno));
	exit(2);
}

/* A line on the console, sent before we go on (nothing in a replay). */
static void say(const char *line)
{
	size_t n = strlen(line), done = 0;

	if (dry)
		return;
	while (done < n) {
		ssize_t w = write(1, line + done, n - done);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			exit(3);
		}
		done += (size_t)w;
	}
	if (tty && tcdrain(1) < 0)
		exit(3);
}

static uint64_t size_of(const struct file *f)
{
	return f->n ? f->e[f->n - 1].start + f->e[f->n - 1].len : 0;
}

/* STATE of file i into s. */
static void state(char *s, size_t cap, unsigned i, const struct file *f)
{
	int k = snprintf(s, cap, "f%u:", i);

	if (!f->exists) {
		snprintf(s + k, cap - (size_t)k, "gone");
		return;
	}
	k += snprintf(s + k, cap - (size_t)k, "%llu:", (unsigned long long)size_of(f));
	for (unsigned j = 0; j < f->n; j++)
		k += snprintf(s + k, cap - (size_t)k, "%s%u@%llu+%llu", j ? "," : "", f->e[j].v,
			      (unsigned long long)f->e[j].start, (unsigned long long)f->e[j].len);
}

/* Put version v over [off, off+len) of the extent list (len > 0; off <= size). */
static void overlay(struct file *f, uint32_t v, uint64_t off, uint64_t len)
{
	struct file out = { .exists = true };
	uint64_t end = off + len;
	unsigned at = 0;

	for (unsigned j = 0; j < f->n; j++) {
		struct ext e = f->e[j];
		uint64_t ee = e.start + e.len, from = e.start > end ? e.start : end;

		if (e.start < off)
			out.e[out.n++] = (struct ext){ e.v, e.start, (ee < off ? ee : off) - e.start };
		if (ee > end)
			out.e[out.n++] = (struct ext){ e.v, from, ee - from };
	}
	while (at < out.n && out.e[at].start < off)
		at++;
	memmove(&out.e[at + 1], &out.e[at], (out.n - at) * sizeof out.e[0]);
	out.e[at] = (struct ext){ v, off, len };
	out.n++;
	*f = out;
}

static void truncate_model(struct file *f, uint64_t size)
{
	uint64_t old = size_of(f);

	if (size > old) {
		overlay(f, 0, old, size - old);
		return;
	}
	while (f->n && f->e[f->n - 1].start >= size)
		f->n--;
	if (f->n && size_of(f) > size)
		f->e[f->n - 1].len = size - f->e[f->n - 1].start;
}

/* Version v over [off, off+len) of fd, in chunks of drawn sizes. */
static void write_all(int fd, const char *name, uint32_t v, uint64_t off, uint64_t len)
{
	while (len) {
		size_t n = 1 + rnd() % CHUNK;

		if (n > len)
			n = (size_t)len;
		if (!dry) {
			fill(buf, v, off, n);
			ssize_t w = pwrite(fd, buf, n, (off_t)off);

			if (w < 0)
				die("write", name);
			if ((size_t)w != n) {
				errno = EIO;            /* a replay could not follow a short write */
				die("short write", name);
			}
		}
		off += n;
		len -= n;
	}
}

static int open_at(const char *name, int flags)
{
	int fd;

	if (dry)
		return -1;
	if ((fd = openat(dirfd_, name, flags, 0644)) < 0)
		die("open", name);
	return fd;
}

static void sync_close(int fd, const char *name)
{
	if (dry)
		return;
	if (fsync(fd) < 0)
		die("fsync", name);
	close(fd);
}

static void sync_dir(void)
{
	if (!dry && fsync(dirfd_) < 0)
		die("fsync", dir);
}

static uint64_t pick_size(void)
{
	static const uint64_t edges[] = { 0, 1, 4095, 4096, 4097, 12 * 4096, 12 * 4096 + 1,
					  13 * 4096 - 1, 100000 };

	return rnd() % 3 ? rnd() % MAX_SIZE : edges[rnd() % (sizeof edges / sizeof edges[0])];
}

/* A whole new file of the next version and the given size in `path`, fsync'd. */
static void write_new(const char *path, int flags, struct file *f, uint64_t size)
{
	int fd = open_at(path, O_WRONLY | O_CREAT | flags);

	*f = (struct file){ .exists = true };
	if (size) {
		uint32_t v = ++next_version;

		write_all(fd, path, v, 0, size);
		f->e[0] = (struct ext){ v, 0, size };
		f->n = 1;
	}
	sync_close(fd, path);
}

/* What the check expects of the operation in flight: its name, and its STATE after it
 * for the atomic ones (rename, unlink), or "" for anything. */
static int inflight_name = -1;
static char inflight_after[400];

/* Operation n.  With peek, only what it is (inflight_*), nothing done. */
static void one_op(unsigned long n, bool peek)
{
	unsigned i = rnd() % NAMES;
	struct file *f = &files[i], after;
	char name[16], line[512], st[400];

	snprintf(name, sizeof name, "f%u", i);
	inflight_name = (int)i;
	inflight_after[0] = 0;
	if (!f->exists) {
		if (peek)
			return;
		snprintf(line, sizeof line, "cutload: begin %lu create %s\n", n, name);
		say(line);
		write_new(name, O_EXCL, f, pick_size());
		sync_dir();
		goto done;
	}
	uint64_t size = size_of(f);
	unsigned what = rnd() % 12;

	if (f->n >= MAX_EXT - 2 && what >= 2 && what < 10)
		what = 0;                       /* too many extents: start it afresh */
	switch (what) {
	case 0: case 1: case 2: {               /* replace through a temporary name */
		uint64_t nsize = pick_size();

		after = (struct file){ .exists = true };
		if (nsize) {
			after.e[0] = (struct ext){ next_version + 1, 0, nsize };
			after.n = 1;
		}
		state(st, sizeof st, i, &after);
		snprintf(inflight_after, sizeof inflight_after, "%s", st);
		if (peek)
			return;
		snprintf(line, sizeof line, "cutload: begin %lu rename %s %s\n", n, name, st);
		say(line);
		write_new(TMP_NAME, O_TRUNC, &after, nsize);
		char from[300], to[300];

		snprintf(from, sizeof from, "%s/%s", dir, TMP_NAME);
		snprintf(to, sizeof to, "%s/%s", dir, name);
		if (!dry && rename(from, to) < 0)
			die("rename", name);
		sync_dir();
		*f = after;
		goto done;
	}
	case 3: case 4: case 5: {               /* overwrite a range in place */
		uint64_t off = size ? rnd() % (size + 1) : 0;
		uint64_t len = 1 + rnd() % (rnd() % 2 ? 4096 : 3 * CHUNK);

		if (off + len > MAX_SIZE)
			len = off < MAX_SIZE ? MAX_SIZE - off : 1;
		if (peek)
			return;
		snprintf(line, sizeof line, "cutload: begin %lu overwrite %s\n", n, name);
		say(line);
		int fd = open_at(name, O_WRONLY);
		uint32_t v = ++next_version;

		write_all(fd, name, v, off, len);
		sync_close(fd, name);
		overlay(f, v, off, len);
		goto done;
	}
	case 6: case 7: {                       /* truncate, shorter or longer */
		uint64_t nsize = rnd() % 2 ? (size ? rnd() % size : 0) : size + rnd() % CHUNK;

		if (peek)
			return;
		snprintf(line, sizeof line, "cutload: begin %lu truncate %s\n", n, name);
		say(line);
		int fd = open_at(name, O_WRONLY);

		if (!dry && ftruncate(fd, (off_t)nsize) < 0)
			die("ftruncate", name);
		sync_close(fd, name);
		truncate_model(f, nsize);
		goto done;
	}
	case 8: case 9: {                       /* append */
		uint64_t len = 1 + rnd() % CHUNK;

		if (size + len > MAX_SIZE + CHUNK)
			len = 1;
		if (peek)
			return;
		snprintf(line, sizeof line, "cutload: begin %lu append %s\n", n, name);
		say(line);
		int fd = open_at(name, O_WRONLY | O_APPEND);
		uint32_t v = ++next_version;

		if (!dry) {
			fill(buf, v, size, (size_t)len);
			ssize_t w = write(fd, buf, (size_t)len);

			if (w < 0)
				die("write", name);
			if ((uint64_t)w != len) {
				errno = EIO;
				die("short write", name);
			}
		}
		sync_close(fd, name);
		overlay(f, v, size, len);
		goto done;
	}
	default:                                /* unlink */
		snprintf(inflight_after, sizeof inflight_after, "f%u:gone", i);
		if (peek)
			return;
		snprintf(line, sizeof line, "cutload: begin %lu unlink %s %s\n", n, name,
			 inflight_after);
		say(line);
		if (!dry && unlinkat(dirfd_, name, 0) < 0)
			die("unlink", name);
		sync_dir();
		*f = (struct file){ 0 };
		goto done;
	}
done:
	state(st, sizeof st, i, f);
	snprintf(line, sizeof line, "cutload: done %lu %s\n", n, st);
	say(line);
}

static void start(const char *seed)
{
	rng = strtoull(seed, NULL, 0) * 2 + 1;
	next_version = (uint32_t)(rnd() % 1000) * 1000000u;    /* versions differ between runs */
}

static _Noreturn void run(const char *seed)
{
	char line[128];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("mkdir", dir);
	if ((dirfd_ = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		die("open", dir);
	start(seed);
	tty = isatty(1);
	snprintf(line, sizeof line, "cutload: run %s seed %s\n", dir, seed);
	say(line);
	for (unsigned long n = 1;; n++)
		one_op(n, false);
}

/* ---- check ------------------------------------------------------------------------- */

static unsigned long long num(const char **p)
{
	char *end;
	unsigned long long v = strtoull(*p, &end, 10);

	*p = end;
	return v;
}

/* Does the file match STATE s (NAME:gone, NAME:any, NAME:SIZE:EXTENTS)?  Says why not in
 * why.  -1 for a malformed STATE. */
static int matches(const char *s, char *why, size_t cap)
{
	char name[64];
	const char *colon = strchr(s, ':');
	struct stat sb;

	if (!colon || (size_t)(colon - s) >= sizeof name)
		return -1;
	memcpy(name, s, (size_t)(colon - s));
	name[colon - s] = 0;
	const char *p = colon + 1;
	int fd = openat(dirfd_, name, O_RDONLY);

	if (!strcmp(p, "gone")) {
		if (fd >= 0) {
			close(fd);
			snprintf(why, cap, "exists, want it gone");
			return 0;
		}
		if (errno != ENOENT) {
			snprintf(why, cap, "open: %s", strerror(errno));
			return 0;
		}
		return 1;
	}
	if (fd < 0) {
		if (errno == ENOENT && !strcmp(p, "any"))
			return 1;
		snprintf(why, cap, "open: %s", strerror(errno));
		return 0;
	}
	if (!strcmp(p, "any")) {
		ssize_t r;

		while ((r = read(fd, buf, sizeof buf)) > 0)
			;
		if (r < 0)
			snprintf(why, cap, "read: %s", strerror(errno));
		close(fd);
		return r == 0;
	}
	uint64_t size = num(&p), at = 0;
	int ok = 1;

	if (*p++ != ':' || fstat(fd, &sb) < 0) {
		close(fd);
		return -1;
	}
	if ((uint64_t)sb.st_size != size) {
		snprintf(why, cap, "size %lld, want %llu", (long long)sb.st_size,
			 (unsigned long long)size);
		ok = 0;
	}
	while (ok && *p) {
		uint32_t v = (uint32_t)num(&p);

		if (*p++ != '@') {
			ok = -1;
			break;
		}
		uint64_t start = num(&p);

		if (*p++ != '+' || start != at) {
			ok = -1;
			break;
		}
		uint64_t len = num(&p);

		if (*p == ',')
			p++;
		for (uint64_t done = 0; ok == 1 && done < len;) {
			size_t k = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
			ssize_t r = pread(fd, buf, k, (off_t)(start + done));

			if (r <= 0) {
				snprintf(why, cap, "read at %llu: %s", (unsigned long long)(start + done),
					 r < 0 ? strerror(errno) : "end of file");
				ok = 0;
				break;
			}
			fill(want, v, start + done, (size_t)r);
			for (ssize_t j = 0; j < r; j++)
				if (buf[j] != want[j]) {
					snprintf(why, cap, "differs at %llu: read 0x%02x, want 0x%02x",
						 (unsigned long long)(start + done + (uint64_t)j),
						 buf[j], want[j]);
					ok = 0;
					break;
				}
			done += (uint64_t)r;
		}
		at = start + len;
	}
	if (ok == 1 && at != size)
		ok = -1;
	close(fd);
	return ok;
}

/* Is the directory free of names the pool does not have?  Says the first stranger. */
static bool no_strangers(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool ok = true;

	if (!d)
		die("opendir", dir);
	while ((de = readdir(d))) {
		bool ours = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
			    !strcmp(de->d_name, TMP_NAME);
		char name[16];

		for (unsigned i = 0; i < NAMES && !ours; i++) {
			snprintf(name, sizeof name, "f%u", i);
			ours = !strcmp(de->d_name, name);
		}
		if (ours)
			continue;
		printf("cutload: %s BAD: a name no operation made\n", de->d_name);
		ok = false;
	}
	closedir(d);
	return ok;
}

static int check(const char *seed, const char *done_s, const char *inflight_s)
{
	unsigned long done = strtoul(done_s, NULL, 10);
	bool inflight = !strcmp(inflight_s, "1");
	int bad = 0;

	if ((dirfd_ = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		die("open", dir);
	dry = true;
	start(seed);
	for (unsigned long n = 1; n <= done; n++)
		one_op(n, false);
	inflight_name = -1;
	if (inflight)
		one_op(done + 1, true);
	dry = false;
	for (unsigned i = 0; i < NAMES; i++) {
		char expect[900], st[400], why[200] = "", all[420] = "";
		const char *s = expect;
		int any = 0;

		state(st, sizeof st, i, &files[i]);
		if ((int)i != inflight_name)
			snprintf(expect, sizeof expect, "%s", st);
		else if (inflight_after[0])
			snprintf(expect, sizeof expect, "%s|%s", st, inflight_after);
		else
			snprintf(expect, sizeof expect, "f%u:any", i);
		while (*s && !any) {
			char alt[400];
			size_t k = strcspn(s, "|");

			memcpy(alt, s, k);
			alt[k] = 0;
			s += k + (s[k] == '|');
			why[0] = 0;
			any = matches(alt, why, sizeof why);
			if (any < 0) {
				printf("cutload: %s: malformed\n", alt);
				return 2;
			}
			if (!any)
				snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s",
					 all[0] ? "; " : "", why);
		}
		printf("cutload: f%u %s %s%s%s\n", i, any ? "ok" : "BAD", expect, any ? "" : ": ",
		       any ? "" : all);
		bad |= !any;
	}
	if (!no_strangers())
		bad = 1;
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "run")) {
		dir = argv[2];
		run(argv[3]);
	}
	if (argc == 6 && !strcmp(argv[1], "check")) {
		dir = argv[2];
		return check(argv[3], argv[4], argv[5]);
	}
	fprintf(stderr, "usage: cutload run DIR SEED | cutload check DIR SEED DONE INFLIGHT\n");
	return 2;
}
