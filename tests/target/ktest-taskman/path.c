/* ktest-taskman: the path space (attach, detach, links, resolution), the
 * controlling terminal, system reset's privilege and the boot image. */
#include <keel/iomsg.h>
#include "ktest_taskman.h"

/* ---- the path space --------------------------------------------------------------------- */

static int attach(int type, const char *path, const char *target, int chid, uint32_t flags,
		  uint32_t handle)
{
	static char buf[512];
	struct _proc_path_attach *m = (void *)buf;
	size_t n = strlen(path) + 1, t = target ? strlen(target) + 1 : 0;

	*m = (struct _proc_path_attach){ .hdr.type = (uint16_t)type, .flags = flags, .chid = chid,
					 .handle = handle, .pathlen = (uint32_t)n,
					 .targetlen = (uint32_t)t };
	memcpy(m + 1, path, n);
	if (t)
		memcpy((char *)(m + 1) + n, target, t);
	return (int)urt_tm_send(buf, sizeof *m + n + t, 0, 0);
}

static int detach(int id)
{
	struct _proc_path_detach m = { .hdr.type = _PROC_PATH_DETACH, .id = id };

	return (int)urt_tm_send(&m, sizeof m, 0, 0);
}

struct redirect {
	struct _io_connect_link_reply hdr;
	struct _io_connect_entry e[_IO_CONNECT_ENTRIES_MAX];
	char path[256];
};

/* _IO_CONNECT to taskman: the reply status, the redirect in *r. */
static long connect(const char *path, struct redirect *r)
{
	static char buf[512];
	struct _io_connect *m = (void *)buf;
	size_t n = strlen(path) + 1;

	*m = (struct _io_connect){ .type = _IO_CONNECT, .subtype = _IO_CONNECT_OPEN,
				   .path_len = (uint16_t)n };
	memcpy(m + 1, path, n);
	memset(r, 0, sizeof *r);
	return urt_tm_send(buf, sizeof *m + n, r, sizeof *r);
}

void t_path_attach_and_resolve(void)
{
	struct redirect r;
	int chid = ChannelCreate_r(0);
	int id = attach(_PROC_PATH_ATTACH, "/t/file", 0, chid, 0, 77);

	KTAP_REQUIRE(id > 0);
	KTAP_EQ(connect("/t/file", &r), _IO_CONNECT_RET_LINK | 1);
	KTAP_EQ(r.hdr.nentries, 1);
	KTAP_EQ(r.e[0].pid, my_pid());
	KTAP_EQ(r.e[0].chid, chid);
	KTAP_EQ(r.e[0].handle, 77);
	KTAP_EQ(r.e[0].prefix_len, 7);
	KTAP_EQ(connect("/t/file/below", &r), -ENOENT);    /* a file name covers only itself */
	KTAP_EQ(connect("/t/fil", &r), -ENOENT);
	KTAP_EQ(detach(id), 0);
	KTAP_EQ(connect("/t/file", &r), -ENOENT);
	KTAP_EQ(detach(id), -ENOENT);
	ChannelDestroy_r(chid);
}

void t_path_directory_and_longest_first(void)
{
	struct redirect r;
	int chid = ChannelCreate_r(0);
	int outer = attach(_PROC_PATH_ATTACH, "/u", 0, chid, _PROC_PATH_DIR, 1);
	int inner = attach(_PROC_PATH_ATTACH, "/u/v", 0, chid, _PROC_PATH_DIR, 2);

	KTAP_REQUIRE(outer > 0 && inner > 0);
	KTAP_EQ(connect("/u/v/w/x", &r), _IO_CONNECT_RET_LINK | 2);
	KTAP_EQ(r.e[0].handle, 2);
	KTAP_EQ(r.e[0].prefix_len, 5);                  /* "/u/v/" */
	KTAP_EQ(r.e[1].handle, 1);
	KTAP_EQ(r.e[1].prefix_len, 3);                  /* "/u/" */
	KTAP_EQ(connect("/u", &r), _IO_CONNECT_RET_LINK | 1);
	KTAP_EQ(r.e[0].prefix_len, 2);
	KTAP_EQ(connect("/uv", &r), -ENOENT);
	KTAP_EQ(detach(outer), 0);
	KTAP_EQ(detach(inner), 0);
	ChannelDestroy_r(chid);
}

void t_path_union_order(void)
{
	struct redirect r;
	int chid = ChannelCreate_r(0);
	int a = attach(_PROC_PATH_ATTACH, "/w", 0, chid, _PROC_PATH_DIR | _PROC_PATH_AFTER, 1);
	int b = attach(_PROC_PATH_ATTACH, "/w", 0, chid + 0, _PROC_PATH_DIR, 2);
	int c = attach(_PROC_PATH_ATTACH, "/w", 0, chid, _PROC_PATH_DIR | _PROC_PATH_BEFORE, 3);

	KTAP_EQ(a > 0, 1);
	KTAP_EQ(b, -EEXIST);                            /* the same chid and name twice */
	int chid2 = ChannelCreate_r(0);
	b = attach(_PROC_PATH_ATTACH, "/w", 0, chid2, _PROC_PATH_DIR, 2);
	KTAP_EQ(c, -EEXIST);
	int chid3 = ChannelCreate_r(0);
	c = attach(_PROC_PATH_ATTACH, "/w", 0, chid3, _PROC_PATH_DIR | _PROC_PATH_BEFORE, 3);
	KTAP_REQUIRE(a > 0 && b > 0 && c > 0);
	KTAP_EQ(connect("/w/x", &r), _IO_CONNECT_RET_LINK | 3);
	KTAP_EQ(r.e[0].handle, 3);
	KTAP_EQ(r.e[1].handle, 2);
	KTAP_EQ(r.e[2].handle, 1);
	detach(a);
	detach(b);
	detach(c);
	ChannelDestroy_r(chid);
	ChannelDestroy_r(chid2);
	ChannelDestroy_r(chid3);
}

void t_path_symlink(void)
{
	struct redirect r;
	int chid = ChannelCreate_r(0);
	int d = attach(_PROC_PATH_ATTACH, "/real", 0, chid, _PROC_PATH_DIR, 9);
	int l = attach(_PROC_PATH_LINK, "/alias", "/real/sub", 0, 0, 0);

	KTAP_REQUIRE(d > 0 && l > 0);
	KTAP_EQ(connect("/alias/x/y", &r), _IO_CONNECT_RET_LINK);
	KTAP_EQ(r.hdr.nentries, 0);
	KTAP_EQ(strcmp((const char *)&r.e[0], "/real/sub/x/y"), 0);
	KTAP_EQ(connect("/alias", &r), _IO_CONNECT_RET_LINK);
	KTAP_EQ(strcmp((const char *)&r.e[0], "/real/sub"), 0);
	KTAP_EQ(detach(l), 0);
	KTAP_EQ(connect("/alias/x", &r), -ENOENT);
	detach(d);
	ChannelDestroy_r(chid);
}

void t_path_bad_names_einval(void)
{
	int chid = ChannelCreate_r(0);
	static const char *const bad[] = { "relative", "/a/../b", "/a/./b", "/a/", "//a", "/a//b" };

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		KTAP_EQ(attach(_PROC_PATH_ATTACH, bad[i], 0, chid, 0, 0), -EINVAL);
	KTAP_EQ(attach(_PROC_PATH_ATTACH, "/ok", 0, chid, 0x80, 0), -EINVAL);  /* unknown flag */
	/* A NUL inside pathlen: the name is where it ends ("/dev/", then "x"). */
	static char buf[64];
	struct _proc_path_attach *m = (void *)buf;
	*m = (struct _proc_path_attach){ .hdr.type = _PROC_PATH_ATTACH, .chid = chid, .pathlen = 8 };
	memcpy(m + 1, "/dev/\0x", 8);
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 8, 0, 0), -EINVAL);
	ChannelDestroy_r(chid);
}

void t_path_connect_malformed_einval(void)
{
	static char buf[64];
	struct _io_connect *m = (void *)buf;
	struct redirect r;

	*m = (struct _io_connect){ .type = _IO_CONNECT, .path_len = 4 };
	memcpy(m + 1, "/abc", 4);                       /* no NUL inside path_len */
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 4, &r, sizeof r), -EINVAL);
	m->path_len = 0;
	KTAP_EQ(urt_tm_send(buf, sizeof *m, &r, sizeof r), -EINVAL);
	m->path_len = 3;
	memcpy(m + 1, "ab", 3);                         /* relative */
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 3, &r, sizeof r), -EINVAL);
	KTAP_EQ(urt_tm_send(buf, 10, &r, sizeof r), -EINVAL);       /* short */
	KTAP_EQ(connect("/nothing/here", &r), -ENOENT);
}

void t_path_names_go_with_their_server(void)
{
	struct redirect r;
	int pid = child("attach", "/gone/soon", 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
	KTAP_EQ(connect("/gone/soon", &r), -ENOENT);
}

void t_path_link_needs_root_target_checked(void)
{
	KTAP_EQ(attach(_PROC_PATH_LINK, "/l", "", 0, 0, 0), -EINVAL);  /* empty target */
}

/* ---- the path space: who may change it; terminals; the boot image ------------------------ */

static int detach_target;

static int detach_other(void)
{
	return detach(detach_target) == -EPERM ? 0 : 1;
}

void t_path_detach_by_another_eperm(void)
{
	struct redirect r;
	int chid = ChannelCreate_r(0);
	int id = attach(_PROC_PATH_ATTACH, "/t/mine", 0, chid, 0, 5);

	KTAP_REQUIRE(id > 0);
	detach_target = id;
	KTAP_EQ(in_child(detach_other), EXITED(0));
	KTAP_EQ(connect("/t/mine", &r), _IO_CONNECT_RET_LINK | 1);     /* still there */
	KTAP_EQ(detach(id), 0);
	KTAP_EQ(detach(0), -ENOENT);
	KTAP_EQ(detach(-4), -ENOENT);
	ChannelDestroy_r(chid);
}

static int nonroot_link_checks(void)
{
	struct _proc_hdr reset = { .type = _PROC_SYSRESET, .subtype = _PROC_SYSRESET_POWEROFF };

	if (setcred(_PROC_SETRESUID, 100, 100, 100))
		return 1;
	if (attach(_PROC_PATH_LINK, "/nonroot", "/bin", 0, 0, 0) != -EPERM)
		return 2;
	int chid = ChannelCreate_r(0);                  /* nor a name of its own */
	if (attach(_PROC_PATH_ATTACH, "/etc/shadow", 0, chid, 0, 0) != -EPERM)
		return 4;
	if (urt_tm_send(&reset, sizeof reset, 0, 0) != -EPERM)
		return 3;
	return 0;
}

void t_path_attach_link_and_sysreset_need_root(void)
{
	struct redirect r;

	KTAP_EQ(in_child(nonroot_link_checks), EXITED(0));
	KTAP_EQ(connect("/nonroot", &r), -ENOENT);
	struct _proc_hdr h = { .type = _PROC_SYSRESET, .subtype = 7 };
	KTAP_EQ(urt_tm_send(&h, sizeof h, 0, 0), -EINVAL);              /* no such subtype */
	struct { struct _proc_hdr h; uint64_t x; } longer = { { .type = _PROC_SYSRESET }, 0 };
	KTAP_EQ(urt_tm_send(&longer, sizeof longer, 0, 0), -EINVAL);
}

static int setctty(int pid, const char *path)
{
	static char buf[128];
	struct _proc_setctty *m = (void *)buf;
	size_t n = strlen(path) + 1;

	*m = (struct _proc_setctty){ .hdr.type = _PROC_SETCTTY, .pid = pid, .pathlen = (uint32_t)n };
	memcpy(m + 1, path, n);
	return (int)urt_tm_send(buf, sizeof *m + n, 0, 0);
}

void t_setctty_rules(void)
{
	int chid = ChannelCreate_r(0);
	int t1 = attach(_PROC_PATH_ATTACH, "/t/tty1", 0, chid, 0, 1);
	int t2 = attach(_PROC_PATH_ATTACH, "/t/tty2", 0, chid, 0, 2);
	int a = long_child(_PROC_SPAWN_SETSID, 0);
	int b = long_child(_PROC_SPAWN_SETSID, 0);
	int c = long_child(0, 0);

	KTAP_REQUIRE(t1 > 0 && t2 > 0 && a > 1 && b > 1 && c > 1);
	KTAP_EQ(setctty(a, "/t/nottty"), -EPERM);       /* we do not serve it */
	KTAP_EQ(setctty(c, "/t/tty1"), -EPERM);         /* not a session leader */
	KTAP_EQ(setctty(a, "/t/tty1"), 0);
	KTAP_EQ(setctty(a, "/t/tty1"), 0);              /* again: the same one */
	KTAP_EQ(setctty(a, "/t/tty2"), -EEXIST);        /* it has one */
	KTAP_EQ(setctty(b, "/t/tty1"), -EBUSY);         /* another session has it */
	KTAP_EQ(setctty(0, "/t/tty1"), 0);              /* the terminal is gone */
	KTAP_EQ(setctty(b, "/t/tty1"), 0);
	KTAP_EQ(setctty(b, "relative"), -EINVAL);
	KTAP_EQ(end_child(a), KILLED);
	KTAP_EQ(end_child(b), KILLED);
	KTAP_EQ(end_child(c), KILLED);
	detach(t1);
	detach(t2);
	ChannelDestroy_r(chid);
}

/* The image holds /etc/shadow: only root (bootfs) reads it raw. */
static int bootimg_not_for_users(void)
{
	struct _proc_bootimg m = { .hdr.type = _PROC_BOOTIMG, .len = 6 };
	char buf[8];

	if (setcred(_PROC_SETUID, 100, 0, 0) != 0)
		return 1;
	return urt_tm_send(&m, sizeof m, buf, sizeof buf) == -EPERM ? 0 : 2;
}

void t_bootimg_reads(void)
{
	struct _proc_bootimg m = { .hdr.type = _PROC_BOOTIMG };
	char buf[16];
	long size = urt_tm_send(&m, sizeof m, 0, 0);

	KTAP_REQUIRE(size > 110);                       /* a cpio header at least */
	m.len = 6;
	KTAP_EQ(urt_tm_send(&m, sizeof m, buf, sizeof buf), 6);
	KTAP_EQ(memcmp(buf, "070701", 6), 0);           /* newc */
	m.offset = (uint64_t)size - 1;
	m.len = sizeof buf;
	KTAP_EQ(urt_tm_send(&m, sizeof m, buf, sizeof buf), 1);         /* the last byte */
	m.offset = (uint64_t)size;
	KTAP_EQ(urt_tm_send(&m, sizeof m, buf, sizeof buf), 0);
	m.offset = ~0ul;
	KTAP_EQ(urt_tm_send(&m, sizeof m, buf, sizeof buf), 0);
	KTAP_EQ(urt_tm_send(&m, 16, buf, sizeof buf), -EINVAL);         /* short */
	KTAP_EQ(in_child(bootimg_not_for_users), EXITED(0));
}
