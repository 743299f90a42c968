/* conf-users: the user and group databases (getpwnam, getpwuid, getgrnam,
 * getgrgid, their _r forms, getpwent/getgrent) over /etc/passwd and
 * /etc/group, served read-only by a thread of this process attached at
 * /etc (a directory name), and crypt(3) as login uses it (the libxcrypt
 * port: "$6$" SHA-512 only) with crypt_gensalt and the getentropy it
 * draws on (/dev/urandom of /sbin/devnull, started here).  Cases name the XSH page they check.
 *   make run CMDLINE="init=/bin/conf-users"                           */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>
#include <stdlib.h>
#include <unistd.h>
#include <conf.h>
#include <server.h>

static const char passwd[] =
	"root:x:0:0:The Root:/root:/bin/mksh\n"
	"# a comment line is no entry\n"
	"broken line without fields\n"
	"alice:x:1000:100:Alice Liddell:/home/alice:/bin/mksh\n"
	"bob:*:1001:100::/home/bob:\n"
	"nobody:x:65534:65534:Nobody:/:/bin/false\n";
static const char group[] =
	"root:x:0:\n"
	"users:x:100:alice,bob\n"
	"wheel:x:10:alice\n";

static iofunc_attr_t dir_attr, pw_attr, gr_attr;
static resmgr_t *mgr;

static int etc_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	(void)attr;
	if (!strcmp(path, "passwd"))
		return iofunc_open_default(ctp, msg, "", &pw_attr, ocb);
	if (!strcmp(path, "group"))
		return iofunc_open_default(ctp, msg, "", &gr_attr, ocb);
	return ENOENT;
}

static int etc_read(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	const char *text = ocb->attr->data;
	size_t len = (size_t)ocb->attr->nbytes, off = (size_t)ocb->offset;
	size_t n = off < len ? len - off : 0;

	if (n > m->nbytes)
		n = m->nbytes;
	ocb->offset += (int64_t)n;
	return resmgr_reply(ctp, (long)n, text + off, n);
}

static void *server(void *arg)
{
	(void)arg;
	resmgr_loop(mgr);
	return NULL;
}

static void t_getpwnam__finds_fields(void)
{
	struct passwd *pw = getpwnam("alice");

	REQUIRE(pw != NULL);
	CHECK_EQ(pw->pw_uid, 1000);
	CHECK_EQ(pw->pw_gid, 100);
	CHECK(strcmp(pw->pw_gecos, "Alice Liddell") == 0);
	CHECK(strcmp(pw->pw_dir, "/home/alice") == 0);
	CHECK(strcmp(pw->pw_shell, "/bin/mksh") == 0);
}

static void t_getpwnam__empty_fields_and_unknown_user(void)
{
	struct passwd *pw = getpwnam("bob");

	REQUIRE(pw != NULL);
	CHECK(strcmp(pw->pw_gecos, "") == 0);
	CHECK(strcmp(pw->pw_shell, "") == 0);
	errno = 0;
	CHECK(getpwnam("mallory") == NULL);
	CHECK_EQ(errno, 0);                     /* not found is no error */
	CHECK(getpwnam("broken line without fields") == NULL);
}

static void t_getpwuid__finds_by_id(void)
{
	struct passwd *pw = getpwuid(65534);

	REQUIRE(pw != NULL);
	CHECK(strcmp(pw->pw_name, "nobody") == 0);
	CHECK(getpwuid(4242) == NULL);
	pw = getpwuid(0);
	REQUIRE(pw != NULL);
	CHECK(strcmp(pw->pw_name, "root") == 0);
}

static void t_getpwnam_r__small_buffer_is_ERANGE(void)
{
	struct passwd pw, *res = (struct passwd *)1;
	char tiny[8], big[256];

	CHECK_EQ(getpwnam_r("alice", &pw, tiny, sizeof tiny, &res), ERANGE);
	CHECK(res == NULL);
	CHECK_EQ(getpwnam_r("alice", &pw, big, sizeof big, &res), 0);
	CHECK(res == &pw);
	CHECK_EQ(getpwnam_r("nobody-at-all", &pw, big, sizeof big, &res), 0);
	CHECK(res == NULL);
}

static void t_getpwuid_r__fills_callers_storage(void)
{
	struct passwd pw, *res = NULL;
	char buf[256];

	CHECK_EQ(getpwuid_r(1001, &pw, buf, sizeof buf, &res), 0);
	REQUIRE(res == &pw);
	CHECK(pw.pw_name >= buf && pw.pw_name < buf + sizeof buf);
	CHECK(strcmp(pw.pw_name, "bob") == 0);
}

static void t_getpwent__walks_valid_entries(void)
{
	int n = 0;

	setpwent();
	while (getpwent())
		n++;
	endpwent();
	CHECK_EQ(n, 4);                         /* the comment and the broken line skipped */
}

static void t_getgrnam__members(void)
{
	struct group *gr = getgrnam("users");

	REQUIRE(gr != NULL);
	CHECK_EQ(gr->gr_gid, 100);
	REQUIRE(gr->gr_mem[0] && gr->gr_mem[1]);
	CHECK(strcmp(gr->gr_mem[0], "alice") == 0);
	CHECK(strcmp(gr->gr_mem[1], "bob") == 0);
	CHECK(gr->gr_mem[2] == NULL);
}

static void t_getgrgid__no_members_and_unknown(void)
{
	struct group *gr = getgrgid(0);

	REQUIRE(gr != NULL);
	CHECK(strcmp(gr->gr_name, "root") == 0);
	CHECK(gr->gr_mem[0] == NULL);
	CHECK(getgrgid(777) == NULL);
}

static void t_getgrnam_r__small_buffer_is_ERANGE(void)
{
	struct group gr, *res = (struct group *)1;
	char tiny[12], big[256];

	CHECK_EQ(getgrnam_r("users", &gr, tiny, sizeof tiny, &res), ERANGE);
	CHECK(res == NULL);
	CHECK_EQ(getgrnam_r("wheel", &gr, big, sizeof big, &res), 0);
	REQUIRE(res == &gr);
	CHECK(strcmp(gr.gr_mem[0], "alice") == 0);
}

static void t_getgrent__walks_groups(void)
{
	int n = 0;

	setgrent();
	while (getgrent())
		n++;
	endgrent();
	CHECK_EQ(n, 3);
}

/* getgrouplist has no POSIX page; it walks the database, but what
 * getgrgid returned before (static storage) must stay what it was. */
static void t_getgrgid__result_survives_a_getgrouplist(void)
{
	gid_t gs[8];
	int n = 8;
	struct group *g = getgrgid(0);

	REQUIRE(g != NULL);
	CHECK_EQ(getgrouplist("alice", 100, gs, &n), 2);
	CHECK_EQ(n, 2);
	CHECK_EQ(gs[0], 100);
	CHECK_EQ(gs[1], 10);
	CHECK_EQ(g->gr_gid, 0);
	CHECK(strcmp(g->gr_name, "root") == 0);
}

/* Known answers from the host's crypt(3) (python3's crypt.crypt on Debian
 * bookworm, libxcrypt); the last is the SHA-crypt specification's own
 * rounds=10000 example, whose 20-byte salt is cut to 16. */
static const char keel_hash[] =
	"$6$saltsalt$rpbZG7NykYU2pR1iFVqWikYIS6J66yE7K8v6QckLXWc95dd5NzYqjTn5JJAUnTFmsFwjSA8R5u/Ngd/hTxLqW0";
static const char keel_1234_hash[] =
	"$6$rounds=1234$saltsalt$ezpyP6FITZ8.n0BpbU0RdCNkxvD5rt5seNkk.ENs3wStabZzRCgojrF6lGd.vdTlTnaRibCtQ3gOGD257ZDVv0";
static const char spec_hash[] =
	"$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.";

/* crypt(key, setting) is the string want (NULL if crypt returned NULL). */
static bool crypt_is(const char *key, const char *setting, const char *want)
{
	const char *got = crypt(key, setting);

	if (got && !strcmp(got, want))
		return true;
	conf_line("# crypt(\"%s\", \"%s\") = \"%s\"", key ? key : "(null)",
		  setting ? setting : "(null)", got ? got : "(null)");
	return false;
}

static void t_crypt__sha512_known_answers(void)
{
	CHECK(crypt_is("keel", "$6$saltsalt$", keel_hash));
	CHECK(crypt_is("keel", "$6$saltsalt", keel_hash));
	CHECK(crypt_is("Hello world!", "$6$rounds=10000$saltstringsaltstring", spec_hash));
}

static void t_crypt__sha512_rounds(void)
{
	CHECK(crypt_is("keel", "$6$rounds=1234$saltsalt$", keel_1234_hash));
}

/* login's check: a stored hash is its own setting. */
static void t_crypt__stored_hash_is_the_setting(void)
{
	CHECK(crypt_is("keel", keel_hash, keel_hash));
	CHECK(crypt_is("keel", keel_1234_hash, keel_1234_hash));
	const char *wrong = crypt("keeL", keel_hash);
	REQUIRE(wrong != NULL);
	CHECK(strncmp(wrong, "$6$saltsalt$", 12) == 0 && strcmp(wrong, keel_hash) != 0);
}

/* libxcrypt fails with a "failure token" rather than NULL: "*0", or "*1"
 * when the setting itself was "*0", so the result never equals the
 * setting; errno says why. */
static void t_crypt__unknown_method_is_EINVAL(void)
{
	errno = 0;
	CHECK(crypt_is("keel", "$9$saltsalt$", "*0"));
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(crypt_is("keel", "$1$saltsalt$", "*0"));          /* MD5: not built */
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(crypt_is("keel", "*0", "*1"));
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(crypt_is("keel", "$6$salt:salt$", "*0"));         /* ':' is no salt character */
	CHECK_EQ(errno, EINVAL);
}

static void t_crypt__null_arguments_are_EINVAL(void)
{
	errno = 0;
	CHECK(crypt_is(NULL, "$6$saltsalt$", "*0"));
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(crypt_is("keel", NULL, "*0"));
	CHECK_EQ(errno, EINVAL);
}

/* ---- crypt_gensalt, getentropy -------------------------------------------------- */

/* s is "$6$" then n salt characters (crypt's base64 alphabet), "$" or not. */
static bool sha512_setting(const char *s, size_t n)
{
	if (!s || strncmp(s, "$6$", 3))
		return false;
	size_t k = strspn(s + 3, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	return k == n && (!s[3 + k] || (s[3 + k] == '$' && !s[4 + k]));
}

static void t_crypt_gensalt__random_6_setting_crypt_takes(void)
{
	char a[CRYPT_GENSALT_OUTPUT_SIZE], b[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *s = crypt_gensalt("$6$", 0, NULL, 0);

	REQUIRE(s != NULL);
	conf_line("# crypt_gensalt(\"$6$\") = \"%s\"", s);
	CHECK(sha512_setting(s, 16));                   /* 12 bytes of entropy: 16 characters */
	strcpy(a, s);
	REQUIRE(crypt_gensalt_rn(NULL, 0, NULL, 0, b, sizeof b) == b);  /* NULL: the default */
	CHECK(sha512_setting(b, 16));
	CHECK(strcmp(a, b) != 0);                       /* fresh random bytes each time */
	char hash[CRYPT_OUTPUT_SIZE];
	const char *h = crypt("keel", a);
	REQUIRE(h && h[0] == '$');
	strcpy(hash, h);
	CHECK(strncmp(hash, a, strlen(a) - (a[strlen(a) - 1] == '$')) == 0);
	CHECK(crypt_is("keel", hash, hash));            /* the stored hash checks */
}

static void t_crypt_gensalt__given_bytes_and_rounds(void)
{
	static const char bytes[16] = "0123456789abcdef";
	char out[CRYPT_GENSALT_OUTPUT_SIZE];
	char *s = crypt_gensalt_ra("$6$", 10000, bytes, sizeof bytes);

	REQUIRE(s != NULL);
	CHECK(!strncmp(s, "$6$rounds=10000$", 16));
	CHECK(crypt_gensalt_rn("$6$", 10000, bytes, sizeof bytes, out, sizeof out) == out);
	CHECK(!strcmp(s, out));                         /* same bytes, same setting */
	free(s);
	errno = 0;
	CHECK(crypt_gensalt_rn("$6$", 0, bytes, sizeof bytes, out, 2) == NULL);
	CHECK_EQ(errno, ERANGE);
}

static void t_crypt_gensalt__unknown_method_is_EINVAL(void)
{
	static const char bytes[16] = "0123456789abcdef";

	errno = 0;
	CHECK(crypt_gensalt("$1$", 0, NULL, 0) == NULL);        /* MD5: not built */
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(crypt_gensalt("$9$", 0, bytes, sizeof bytes) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(crypt_gensalt("$6$", 0, bytes, 2) == NULL);       /* too few random bytes */
	CHECK_EQ(errno, EINVAL);
}

static void t_getentropy__fills_up_to_256_bytes(void)
{
	unsigned char a[256], b[256];

	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	CHECK_EQ(getentropy(a, sizeof a), 0);
	CHECK_EQ(getentropy(b, sizeof b), 0);
	CHECK(memcmp(a, b, sizeof a) != 0);
	int zeros = 0;
	for (size_t i = 0; i < sizeof a; i++)
		zeros += !a[i];
	CHECK(zeros < 16);                              /* filled, not left zero */
	CHECK_EQ(getentropy(a, 0), 0);
	CHECK_ERR(getentropy(a, 257), EINVAL);
	CHECK_ERR(getentropy((void *)8, 16), EFAULT);
}

static const struct conf_case cases[] = {
	CONF_CASE(getpwnam, finds_fields),
	CONF_CASE(getpwnam, empty_fields_and_unknown_user),
	CONF_CASE(getpwuid, finds_by_id),
	CONF_CASE(getpwnam_r, small_buffer_is_ERANGE),
	CONF_CASE(getpwuid_r, fills_callers_storage),
	CONF_CASE(getpwent, walks_valid_entries),
	CONF_CASE(getgrnam, members),
	CONF_CASE(getgrgid, no_members_and_unknown),
	CONF_CASE(getgrnam_r, small_buffer_is_ERANGE),
	CONF_CASE(getgrent, walks_groups),
	CONF_CASE(crypt, sha512_known_answers),
	CONF_CASE(crypt, sha512_rounds),
	CONF_CASE(crypt, stored_hash_is_the_setting),
	CONF_CASE(crypt, unknown_method_is_EINVAL),
	CONF_CASE(crypt, null_arguments_are_EINVAL),
	CONF_CASE(crypt_gensalt, random_6_setting_crypt_takes),
	CONF_CASE(getgrgid, result_survives_a_getgrouplist),
	CONF_CASE(crypt_gensalt, given_bytes_and_rounds),
	CONF_CASE(crypt_gensalt, unknown_method_is_EINVAL),
	CONF_CASE(getentropy, fills_up_to_256_bytes),
};

int main(void)
{
	static const resmgr_connect_funcs_t cf = { .open = etc_open };
	static const resmgr_io_funcs_t io = { .read = etc_read };
	pthread_t t;
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);

	iofunc_attr_init(&dir_attr, S_IFDIR | 0755);
	iofunc_attr_init(&pw_attr, S_IFREG | 0644);
	iofunc_attr_init(&gr_attr, S_IFREG | 0644);
	pw_attr.data = (void *)passwd;
	pw_attr.nbytes = sizeof passwd - 1;
	gr_attr.data = (void *)group;
	gr_attr.nbytes = sizeof group - 1;
	mgr = chid >= 0 ? resmgr_create(chid, &cf, &io, &dir_attr) : NULL;
	if (!mgr || pthread_create(&t, NULL, server, NULL) ||
	    resmgr_attach(mgr, "/etc", _FTYPE_ANY, _PROC_PATH_DIR) < 0) {
		conf_line("conf-users: cannot start the server: %s", strerror(errno));
		return 2;
	}
	char *dn[] = { "/sbin/devnull", NULL };
	pid_t devnull = conf_start_server(dn, "/dev/urandom");
	if (devnull < 0) {
		conf_line("conf-users: cannot start /sbin/devnull");
		return 2;
	}
	int r = conf_run("conf-users", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
	kill(devnull, SIGTERM);
	waitpid(devnull, NULL, 0);
	return r;
}
