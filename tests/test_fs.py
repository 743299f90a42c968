"""fs-keel on the target (issue 13, storage): mkfs-keel makes a volume in an image file in
/tmp, mount starts /sbin/fs-keel on it, and the shell works in it as a person would —
files, directories, links, permissions for root and for the keel account, df, umount,
fsck-keel, a second mount that finds the data, and corrupted images that mount refuses
with the server's one-line reason while the system stays up.  conf-fskeel checks the
calls a shell cannot make (fsync, ftruncate, open flags) over the same mount.

One boot for the module: the tests run in order on one logged-in console and each leaves
the volume as the next expects (mounted on MNT, or not, as its name says)."""

from __future__ import annotations

import os
import re

import pytest
from terminal import Console, root_console

pytestmark = [pytest.mark.initrd, pytest.mark.login]

IMG = "/tmp/fs.img"
MNT = "/tmp/mnt"
SEQ = "seq 1 12000"           # 59 KiB: past the 12 direct blocks, into the single indirect


@pytest.fixture(scope="module")
def console(keel_module_boot):
    with root_console(keel_module_boot) as c:
        yield c


def df_rows(out: str) -> dict[str, list[str]]:
    """df -P's lines by mount point (its last column)."""
    lines = out.strip().splitlines()
    assert re.fullmatch(r"Filesystem (512|1024)-blocks Used Available Capacity Mounted on",
                        lines[0]), out
    return {row[-1]: row for row in (line.split() for line in lines[1:])}


def fs_keel_pids(console: Console) -> set[str]:
    """The pids of the fs-keel servers running (the board's /usr has one of its own)."""
    out, rc = console.run("pidin -p fs-keel")
    assert rc in (0, 1), out
    return {line.split()[0] for line in out.splitlines()[1:] if line.endswith(" fs-keel")}


def server_pid(console: Console) -> str:
    """The pid of IMG's server, as fsck-keel names it when it refuses a mounted volume."""
    out, rc = console.run(f"fsck-keel {IMG}")
    pid = re.search(r"\(server pid (\d+)", out)
    assert rc == 8 and pid, out
    return pid[1]


def ls_ln(console: Console, path: str) -> list[str]:
    """`ls -ldn path` split: mode, links, uid, gid, size, date, time, name..."""
    return console.ok(f"ls -ldn {path}").split()


def test_mkfs_makes_a_volume_fsck_calls_clean(console):
    out = console.ok(f"mkfs-keel -L test {IMG} 2M")
    assert f"mkfs-keel: {IMG}: 2097152 bytes at offset 0, 4096-byte blocks" in out, out
    out = console.ok(f"fsck-keel {IMG}")
    assert f"fsck-keel: {IMG}: clean: 0 findings, 0 fixed; 0 files, 1 directories" in out, out


def test_mount_serves_the_volume_and_df_reports_it(console):
    console.ok(f"mkdir {MNT} && mount {IMG} {MNT}")
    out = console.ok("mount")
    assert f"{IMG} on {MNT} type keel (rw)" in out.splitlines(), out
    rows = df_rows(console.ok(f"df -k {MNT}"))
    name, total, used, avail, cap = rows[MNT][:5]
    assert name == IMG, rows
    total, used, avail = int(total), int(used), int(avail)
    assert 1800 < total < 2048 and used + avail == total and used > 0, rows
    assert cap == f"{-(-used * 100 // total)}%", rows
    assert df_rows(console.ok("df -k"))[MNT][:4] == [IMG, str(total), str(used), str(avail)]
    rows512 = df_rows(console.ok(f"df -P {MNT}"))
    assert int(rows512[MNT][1]) == 2 * total, rows512
    assert df_rows(console.ok("df -k /tmp"))["/tmp"][0] == "tmpfs"


def test_files_and_directories_read_back(console):
    console.ok(f"mkdir {MNT}/d {MNT}/d/e && echo hello > {MNT}/d/f && {SEQ} > {MNT}/d/seq")
    assert console.ok(f"cat {MNT}/d/f") == "hello\n"
    out = console.ok(f"{SEQ} | cmp - {MNT}/d/seq && wc -c < {MNT}/d/seq")
    assert int(out) == len("".join(f"{i}\n" for i in range(1, 12001))), out
    console.ok(f"echo more >> {MNT}/d/f")
    assert console.ok(f"cat {MNT}/d/f") == "hello\nmore\n"
    assert console.ok(f"ls -1 {MNT}/d") == "e\nf\nseq\n"
    out, rc = console.run(f"cat {MNT}/d/nothing")
    assert rc != 0 and "No such file or directory" in out, out


def test_stat_fields_follow_chmod_chown_and_touch(console):
    f = f"{MNT}/d/f"
    mode, links, uid, gid, size = ls_ln(console, f)[:5]
    assert (mode, links, uid, gid, size) == ("-rw-r--r--", "1", "0", "0", "11")
    assert ls_ln(console, f"{MNT}/d")[:4] == ["drwxr-xr-x", "3", "0", "0"]
    console.ok(f"chmod 640 {f} && chown 1000:1000 {f} && touch -d 2021-02-03T04:05:06 {f}")
    assert ls_ln(console, f)[:5] == ["-rw-r-----", "1", "1000", "1000", "11"]
    assert console.ok(f"date -r {f} +%Y-%m-%dT%H:%M:%S").strip() == "2021-02-03T04:05:06"
    console.ok(f"chown 0:0 {f} && chmod 644 {f}")


def test_rename_links_symlinks_and_removal(console):
    d = f"{MNT}/d"
    console.ok(f"mv {d}/f {d}/g && ln {d}/g {d}/h && ln -s g {d}/s && ln -s /etc/passwd {d}/pw")
    assert ls_ln(console, f"{d}/g")[1] == "2"
    assert ls_ln(console, f"{d}/h")[1] == "2"
    assert ls_ln(console, f"{d}/g")[-1] == f"{d}/g"
    assert console.ok(f"ls -ld {d}/s").split()[-3:] == [f"{d}/s", "->", "g"]
    assert console.ok(f"cat {d}/s") == "hello\nmore\n"
    assert console.ok(f"read line < {d}/pw && echo ${{line%%:*}}").strip() == "root"
    out, rc = console.run(f"cat {d}/f")
    assert rc != 0 and "No such file or directory" in out, out
    console.ok(f"rm {d}/h {d}/s {d}/pw")
    assert ls_ln(console, f"{d}/g")[1] == "1"
    out, rc = console.run(f"rmdir {d}")
    assert rc != 0 and "Directory not empty" in out, out
    out, rc = console.run(f"mv {d} {d}/e/inside")
    assert rc != 0 and "Invalid argument" in out, out
    console.ok(f"rmdir {d}/e")
    assert console.ok(f"ls -1 {d}") == "g\nseq\n"


def test_the_calls_a_shell_cannot_make(console):
    out, rc = console.run(f"conf-fskeel {MNT}")
    failed = re.findall(r"^not ok \d+ (\S+)", out, re.MULTILINE)
    assert not failed and rc == 0, out
    assert len(re.findall(r"^ok \d+ ", out, re.MULTILINE)) == 11, out
    assert "conf-fskeel: done: 11 passed, 0 failed" in out, out


def test_a_user_gets_what_the_permissions_allow(console):
    console.ok(f"mkdir -m 700 {MNT}/priv && echo secret > {MNT}/priv/s && "
               f"mkdir -m 1777 {MNT}/pub && echo r > {MNT}/pub/rootfile && "
               f"chmod 600 {MNT}/d/g")
    console.logout()
    console.login("keel")
    try:
        out, rc = console.run(f"cat {MNT}/priv/s")
        assert rc != 0 and "Permission denied" in out, out
        out, rc = console.run(f"ls {MNT}/priv")
        assert rc != 0 and "Permission denied" in out, out
        out, rc = console.run(f"cat {MNT}/d/g")
        assert rc != 0 and "Permission denied" in out, out
        out, rc = console.run(f"echo x > {MNT}/mine")
        assert rc != 0 and "Permission denied" in out, out
        out, rc = console.run(f"mkdir {MNT}/d/sub")
        assert rc != 0 and "Permission denied" in out, out
        console.ok(f"echo mine > {MNT}/pub/mine")
        assert ls_ln(console, f"{MNT}/pub/mine")[:5] == ["-rw-r--r--", "1", "1000", "1000",
                                                         "5"]
        out, rc = console.run(f"rm -f {MNT}/pub/rootfile")
        assert rc != 0 and "Operation not permitted" in out, out
        out, rc = console.run(f"chmod 777 {MNT}/pub/rootfile")
        assert rc != 0 and "Operation not permitted" in out, out
        console.ok(f"rm {MNT}/pub/mine")
        out, rc = console.run(f"umount {MNT}")
        assert rc == 1 and f"umount: {MNT}: Operation not permitted" in out, out
    finally:
        console.logout()
        console.login("root")
    assert console.ok(f"cat {MNT}/priv/s") == "secret\n"
    console.ok(f"chmod 644 {MNT}/d/g")


def test_fsck_refuses_a_mounted_volume_and_umount_a_busy_one(console):
    out, rc = console.run(f"fsck-keel {IMG}")
    assert rc == 8 and f"fsck-keel: {IMG}: mounted on {MNT} (server pid " in out, out
    out, rc = console.run(f"mount {IMG} /tmp")
    assert rc == 1 and f"fs-keel: {IMG}: already mounted on {MNT}" in out, out
    out, rc = console.run(f"exec 3< {MNT}/d/g; umount {MNT}")
    assert rc == 1 and f"umount: {MNT}: busy" in out, out
    console.ok("exec 3<&-")
    out, rc = console.run(f"umount {MNT}/d")
    assert rc == 1 and "not a mount point" in out, out


def test_umount_leaves_a_clean_volume_that_mounts_again_intact(console):
    console.ok(f"umount {MNT}")
    assert f" on {MNT} " not in console.ok("mount")
    assert df_rows(console.ok(f"df -k {MNT}"))[MNT][0] == "tmpfs"
    out = console.ok(f"fsck-keel {IMG}")
    assert re.search(rf"fsck-keel: {IMG}: clean: 0 findings, 0 fixed; 4 files, 4 directories, "
                     r"0 links, \d+ blocks in use", out), out
    console.ok(f"mount -r {IMG} {MNT}")
    assert f"{IMG} on {MNT} type keel (ro)" in console.ok("mount").splitlines()
    console.ok(f"{SEQ} | cmp - {MNT}/d/seq")
    assert console.ok(f"cat {MNT}/d/g {MNT}/priv/s {MNT}/pub/rootfile") == \
        "hello\nmore\nsecret\nr\n"
    out, rc = console.run(f"echo x > {MNT}/new")
    assert rc != 0 and "Read-only file system" in out, out
    console.ok(f"umount {MNT}")


def test_sigterm_unmounts_cleanly(console):
    console.ok(f"mount {IMG} {MNT} && echo after > {MNT}/late")
    # this volume's server only (`slay fs-keel` would end a board's /usr as well); kill
    # returns once the signal is sent, the server unmounts and ends on its own
    pid, servers = server_pid(console), fs_keel_pids(console)
    out = console.ok(f"kill -TERM {pid} && for i in 1 2 3 4 5 6 7 8 9 10; do "
                     f"kill -0 {pid} 2> /dev/null || break; sleep 1; done; sloginfo")
    assert f" on {MNT} " not in console.ok("mount")
    assert fs_keel_pids(console) == servers - {pid}
    assert re.search(rf"fs-keel\[\d+\]: {IMG} unmounted from {MNT}$", out,
                     re.MULTILINE), out
    out = console.ok(f"fsck-keel {IMG}")
    assert f"fsck-keel: {IMG}: clean: 0 findings" in out, out
    assert "5 files, 4 directories" in out, out


def test_a_forced_umount_under_busy_readers_ends_them_and_the_server_cleanly(console):
    """The server's four threads are all at work (three readers comparing a file over and
    over, each open, read and close a message) when umount -f comes: the unmount waits
    for the handlers inside the volume, the readers' next open finds the mount point's
    own directory, and the server ends having unmounted a clean volume, faulting
    nowhere."""
    console.ok(f"mount {IMG} {MNT} && {SEQ} > /tmp/seq.ref && rm -f /tmp/readers")
    pid = server_pid(console)
    # sh -c: a subshell of the interactive shell would set the terminal's modes back
    # after the cmp that fails, and stop on SIGTTOU in the background (mksh does so
    # on any system)
    console.ok(f"for i in 1 2 3; do sh -c 'n=0; while cmp -s {MNT}/d/seq /tmp/seq.ref; do "
               f"n=$((n+1)); done; echo \"reader '$i': $n\" >> /tmp/readers' "
               "> /dev/null 2>&1 & done; sleep 2")
    out = console.ok(f"umount -f {MNT}; wait; cat /tmp/readers; sloginfo")
    assert f" on {MNT} " not in console.ok("mount")
    readers = re.findall(r"^reader (\d): (\d+)$", out, re.MULTILINE)
    assert sorted(r[0] for r in readers) == ["1", "2", "3"], out
    assert all(int(n) > 0 for _, n in readers), out       # each compared whole files first
    assert re.search(rf"fs-keel\[\d+\]: {IMG} unmounted from {MNT}$", out, re.MULTILINE), out
    assert "fault" not in out, out
    assert pid not in fs_keel_pids(console)
    out = console.ok(f"fsck-keel {IMG}")
    assert f"fsck-keel: {IMG}: clean: 0 findings" in out, out


def test_a_corrupted_image_is_refused_and_the_system_stays_up(console):
    bad = "/tmp/bad.img"
    mounts, servers = console.ok("mount"), fs_keel_pids(console)
    console.ok(f"cp {IMG} {bad} && printf XXXX 1<> {bad}")
    out, rc = console.run(f"mount {bad} {MNT}")
    assert rc == 1, out
    assert f"fs-keel: {bad}: bad magic 0x58585858: not an fs-keel volume\n" in out, out
    assert "mount: /sbin/fs-keel exited with status 1" in out, out
    console.ok(f"head -c 65536 {IMG} > /tmp/short.img")
    out, rc = console.run(f"mount /tmp/short.img {MNT}")
    assert rc == 1 and re.search(r"^fs-keel: /tmp/short.img: .+$", out, re.MULTILINE), \
        out
    assert console.ok("mount") == mounts        # nothing mounted,
    assert fs_keel_pids(console) == servers     # and no server left
    out, rc = console.run(f"fsck-keel -y {bad}")
    assert rc == 1 and "bad magic 0x58585858" in out and "repaired" in out, out
    console.ok(f"mount {bad} {MNT} && cat {MNT}/late && umount {MNT}")
    assert console.ok("echo alive") == "alive\n"


CORRUPT_COUNT = int(os.environ.get("KEEL_FS_CORRUPT_COUNT", "40"))
CORRUPT_SEED = 1 + int(os.environ.get("KEEL_CAMPAIGN_RUN", "0"))


def test_corrupted_volumes_are_refused_or_served_never_a_crash(console, record_property):
    """fs-corrupt: CORRUPT_COUNT copies of a filled volume, each with random damage in its
    metadata (half with the superblock checksum made right again), each refused by
    fs-keel with a reason or served read-only, walked whole and ended cleanly; a crash,
    hang or silent refusal fails.  A campaign sets the count (KEEL_FS_CORRUPT_COUNT=1000)
    and each run's seed (KEEL_CAMPAIGN_RUN)."""
    record_property("fs_corrupt_seed", str(CORRUPT_SEED))
    out = console.ok(f"fs-corrupt {CORRUPT_SEED} {CORRUPT_COUNT}",
                     timeout=60 + 3 * CORRUPT_COUNT)
    m = re.search(r"^fs-corrupt: (\d+) images: (\d+) refused, (\d+) mounted and walked "
                  r"\((\d+) errors seen\), (\d+) failures$", out, re.MULTILINE)
    assert m, out
    images, refused, walked, _, failures = (int(g) for g in m.groups())
    record_property("fs_corrupt_refused", str(refused))
    record_property("fs_corrupt_walked", str(walked))
    assert (images, failures) == (CORRUPT_COUNT, 0), out
    assert refused + walked == images and refused > 0 and walked > 0, out
    assert console.ok("echo alive") == "alive\n"
