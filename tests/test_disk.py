"""The disk (issue 13, storage): build/os/disk.img attached as the board's disk, driven by
its block driver, which publishes the disk and its GPT partition (virtio-blk: /sbin/devb-virtio,
/dev/vblk0 and /dev/vblk0p1; NVMe: /sbin/devb-nvme, /dev/nvme0n1 and /dev/nvme0n1p1), and
mounted on /usr by init (/etc/fstab) through /sbin/fs-keel.  What is written there survives
a clean reboot and a power cut.

The module runs once per target of the environment whose option `keel_disk` names how the
disk is attached (qemu-virt: `main` with virtio, `nvme` with NVMe).

The module boots the same board several times in order (the QEMU driver keeps its copy
of the disk across power cycles, as a board keeps its disk; the module starts from a
fresh copy of the image).  Each test leaves the system logged in as root with /usr
mounted."""

from __future__ import annotations

import os
import re

import pytest
from disks import Board, pytest_generate_tests, umount_usr  # noqa: F401 (the module's hook)

pytestmark = [pytest.mark.initrd, pytest.mark.login, pytest.mark.disk]

SECTOR = 512
PART_OFFSET = 1 << 20           # mkdisk-keel: the partition starts 1 MiB in
SEQ = "seq 1 20000"             # 108,894 bytes: single indirect blocks
SEQ_BYTES = len("".join(f"{i}\n" for i in range(1, 20001)))


@pytest.fixture(scope="module")
def board(keel_module_boot, disk_target):
    b = Board(keel_module_boot, *disk_target)
    b.strategy.reset_disk()
    b.boot()
    yield b
    b.s.close()
    b.strategy.power_off()              # the next target's pass boots a QEMU of its own


def image_bytes(board: Board, offset: int, count: int) -> bytes:
    """Bytes of the disk image the board started from (build/os/disk.img)."""
    path = board.strategy.target.env.config.get_image_path("disk")
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(count)


def od_bytes(out: str) -> bytes:
    """`od -A n -t x1` output back to bytes."""
    return bytes(int(w, 16) for w in out.split())


def test_init_mounts_the_disk_on_usr(board):
    path = board.strategy.target.env.config.get_image_path("disk")
    sectors = os.path.getsize(path) // SECTOR
    console = board.console()
    assert f"{board.driver}: {board.disk}: {sectors} sectors, 1 partition" in console, console
    assert "init: starting /sbin/fs-keel" in console, console
    assert f"{board.part} on /usr type keel (rw)" in board.ok("mount").splitlines()
    readme = board.ok("cat /usr/share/keel/README")
    assert readme.startswith("This is Keel's disk: an fs-keel volume"), readme
    rows = [line.split() for line in board.ok("df -k /usr").splitlines()[1:]]
    assert len(rows) == 1 and rows[0][0] == board.part and rows[0][-1] == "/usr", rows
    total_kib = int(rows[0][1])
    part_kib = (sectors * SECTOR - PART_OFFSET) // 1024
    assert part_kib * 0.9 < total_kib <= part_kib, (total_kib, part_kib)


def test_the_block_devices_read_what_the_image_holds(board):
    out = board.ok(f"ls -l {board.disk} {board.part}")
    modes = [line.split()[0] for line in out.splitlines()]
    assert modes == ["brw-------", "brw-------"], out
    # the GPT header at LBA 1, and the volume's superblock at the partition's start
    assert od_bytes(board.ok(f"od -A n -t x1 -j 512 -N 16 {board.disk}")) == \
        image_bytes(board, 512, 16)
    got = od_bytes(board.ok(f"od -A n -t x1 -N 64 {board.part}"))
    assert got == image_bytes(board, PART_OFFSET, 64) and got[:4] == b"KEEL", got
    # an offset that is not a sector's, across a sector's end
    got = od_bytes(board.ok(f"od -A n -t x1 -j 1000 -N 48 {board.disk}"))
    assert got == image_bytes(board, 1000, 48)
    size = int(board.ok(f"wc -c < {board.part}"))
    assert size == os.path.getsize(board.strategy.target.env.config.get_image_path("disk")) \
        - PART_OFFSET - 34 * SECTOR + SECTOR, size   # to the last usable LBA
    board.s.line("exit")
    board.login("keel")
    try:
        out, rc = board.run(f"od -N 4 {board.part}")
        assert rc != 0 and "Permission denied" in out, out
    finally:
        board.s.line("exit")
        board.login("root")


def test_the_file_calls_on_the_disk_pass_conf_fskeel(board):
    """The storage KTAP suite over the disk's volume, through its block driver: conf-fskeel
    (fsync, ftruncate with holes, the open flags, lseek past the end, fstat against
    statvfs, the core's name errors, files open while their names go, clients at once) in
    /usr/local/conf, which it removes when done."""
    out, rc = board.run("conf-fskeel /usr/local", 300)
    failed = re.findall(r"^not ok \d+ (\S+)", out, re.MULTILINE)
    assert not failed and rc == 0, out
    assert len(re.findall(r"^ok \d+ ", out, re.MULTILINE)) == 11, out
    assert "conf-fskeel: done: 11 passed, 0 failed" in out, out
    out, rc = board.run("ls /usr/local/conf")
    assert rc != 0 and "No such file or directory" in out, out       # removed when done


def test_the_users_homes_are_on_the_disk(board):
    """/home is the volume's home/ (a link of the path space to /usr/home): keel's own
    directory there is keel's, and what keel writes in it is on the disk (the next test
    finds it after a reboot)."""
    assert "init: /home is /usr/home, the disk's" in board.console()
    board.s.line("exit")
    board.login("keel")
    try:
        assert board.ok("cd && pwd && echo mine > note && cat note") == "/home/keel\nmine\n"
        row = board.ok("ls -ld /usr/home/keel").split()
        assert row[0] == "drwxr-xr-x" and row[2] == "keel", row
        out, rc = board.run("echo no > /usr/home/theirs")
        assert rc != 0 and "Permission denied" in out, out
    finally:
        board.s.line("exit")
        board.login("root")
    assert board.ok("cat /usr/home/keel/note") == "mine\n"


def test_usr_tmp_is_everybodys_and_sticky(board):
    """The volume's tmp/ (/usr/tmp): mode 1777, root's; keel makes files there, and may not
    remove root's (the sticky bit)."""
    row = board.ok("ls -ld /usr/tmp").split()
    assert row[0] == "drwxrwxrwt" and row[2] == "root", row
    board.ok("echo root > /usr/tmp/roots")
    board.s.line("exit")
    board.login("keel")
    try:
        assert board.ok("echo keel > /usr/tmp/keels && cat /usr/tmp/keels") == "keel\n"
        out, rc = board.run("rm -f /usr/tmp/roots")
        assert rc != 0 and "Operation not permitted" in out, out
    finally:
        board.s.line("exit")
        board.login("root")
    assert board.ok("ls -ln /usr/tmp/keels").split()[2] == "1000"
    assert board.ok("cat /usr/tmp/roots && rm /usr/tmp/roots /usr/tmp/keels") == "root\n"


def test_a_file_survives_a_clean_reboot(board):
    board.ok(f"{SEQ} > /usr/local/seq && mkdir -p /usr/local/d && echo kept > /usr/local/d/f")
    board.s.line("shutdown")
    board.s.expect(r"keel: powering off", 60)
    console = board.console()
    stopped = re.search(r"init: /sbin/fs-keel \(pid \d+\) stopped", console)
    assert stopped, console[-2000:]
    board.boot()
    assert board.ok(f"{SEQ} | cmp - /usr/local/seq && wc -c < /usr/local/seq").strip() == \
        str(SEQ_BYTES)
    assert board.ok("cat /usr/local/d/f") == "kept\n"
    assert board.ok("cat /home/keel/note") == "mine\n"        # keel's, from the test before
    # unmounted cleanly: fsck finds nothing; then mounted again by hand
    umount_usr(board)
    out = board.ok(f"fsck-keel -n {board.part}")
    assert re.search(r"clean: 0 findings, 0 fixed", out), out
    board.ok(f"mount {board.part} /usr && cat /usr/local/d/f")


def test_a_power_cut_leaves_a_volume_that_mounts_and_keeps_written_files(board):
    board.ok("mkdir /usr/local/cut && seq 1 3000 > /usr/local/cut/a && echo b > /usr/local/cut/b")
    board.ok("rm /usr/local/d/f && mv /usr/local/seq /usr/local/cut/seq")
    board.ok("sync && sync /usr/local/cut/a /usr/local/cut")
    out, rc = board.run("sync /usr/local/cut/none")
    assert rc == 1 and "sync: /usr/local/cut/none: No such file or directory" in out, out
    board.strategy.power_off()              # no shutdown: the volume stays marked in use
    board.boot()
    assert f"{board.part} on /usr type keel (rw)" in board.ok("mount").splitlines()
    assert board.ok("seq 1 3000 | cmp - /usr/local/cut/a && cat /usr/local/cut/b") == "b\n"
    assert board.ok(f"{SEQ} | cmp - /usr/local/cut/seq && ls /usr/local/d") == ""
    umount_usr(board)
    out, rc = board.run(f"fsck-keel -y {board.part}")
    assert rc in (0, 1) and f"fsck-keel: {board.part}: " in out, out   # clean, or fixed
    out = board.ok(f"fsck-keel -n {board.part}")
    assert re.search(r"clean: 0 findings, 0 fixed", out), out
    board.ok(f"mount {board.part} /usr")
    assert board.ok("cat /usr/local/cut/b") == "b\n"
