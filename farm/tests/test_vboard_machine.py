"""The vboard's machine and board: the QEMU command line, power switching, and no
machine ever outliving its board."""

import os
import subprocess
import sys
import threading
import time

import pytest

from keelfarm.vboard.board import DiskError, PowerError, VBoard
from keelfarm.vboard.machine import QEMU, Machine, MachineConfig


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def sleeper(cmd, **kw):
    """Popen stand-in: the machine's command with a harmless long sleep in place of QEMU
    (what QEMU is started through, setpriv with its parent-death signal, stays)."""
    wrapper = cmd[:cmd.index(QEMU)]
    return subprocess.Popen([*wrapper, sys.executable, "-c", "import time; time.sleep(60)"],
                            **kw)


def test_command_line_is_an_unmatched_shaped_virt():
    cfg = MachineConfig(tftp_root="/srv/tftp", nvme="/img/disk.raw")
    cmd = cfg.command("/run/vb/uart", "/run/vb/vb-1.disk")
    joined = " ".join(cmd)
    assert cmd[0] == "qemu-system-riscv64"
    for part in ("-M virt", "-smp 4", "-m 512M", "-bios default",
                 "-kernel /usr/lib/u-boot/qemu-riscv64_smode/uboot.elf",
                 "socket,id=uart0,path=/run/vb/uart", "-serial chardev:uart0",
                 "user,id=net0,tftp=/srv/tftp", "virtio-net-device,netdev=net0",
                 "file=/run/vb/vb-1.disk,if=none,format=raw,id=nvme0", "nvme,serial="):
        assert part in joined, part          # the board's own copy, never the image
    assert "nvme" not in " ".join(MachineConfig(tftp_root="/t").command("/u"))


def test_each_board_disk_is_its_own_copy_reset_only_while_off(tmp_path):
    image = tmp_path / "disk.img"
    image.write_bytes(b"as built" * 512)
    cfg = MachineConfig(tftp_root="/t", nvme=str(image))
    m = Machine(cfg, "/u", str(tmp_path / "log"), popen=sleeper, disk=str(tmp_path / "b.disk"))
    m.reset_disk()
    assert (tmp_path / "b.disk").read_bytes() == image.read_bytes()
    b = VBoard("vb", m, FakeSerial())
    b.start()
    try:
        b.set_power(True)
        assert f"file={tmp_path / 'b.disk'}," in " ".join(m.config.command("/u", m.disk))
        (tmp_path / "b.disk").write_bytes(b"written by the board")
        with pytest.raises(DiskError, match="is on: power it off"):
            b.reset_disk()
        assert (tmp_path / "b.disk").read_bytes() == b"written by the board"
        b.set_power(False)
        b.reset_disk()
        assert (tmp_path / "b.disk").read_bytes() == image.read_bytes()
        assert image.read_bytes() == b"as built" * 512          # the image is never written
        assert b.status()["disk_resets"] == 1
        image.unlink()
        with pytest.raises(DiskError, match="cannot reset the disk"):
            b.reset_disk()
        assert (tmp_path / "b.disk").read_bytes() == b"as built" * 512   # kept as it was
    finally:
        b.close()
    nodisk = VBoard("vb", Machine(MachineConfig(tftp_root="/t"), "/u", str(tmp_path / "l2"),
                                  popen=sleeper, disk=str(tmp_path / "x.disk")), FakeSerial())
    nodisk.start()
    try:
        with pytest.raises(DiskError, match="has no disk"):
            nodisk.reset_disk()
    finally:
        nodisk.close()


def test_a_missing_emulator_is_reported_not_raised(tmp_path):
    cfg = MachineConfig(tftp_root=str(tmp_path), qemu=str(tmp_path / "no-such-qemu"))
    m = Machine(cfg, str(tmp_path / "uart"), str(tmp_path / "log"))
    assert m.start() is False
    assert "cannot start" in m.last_error
    assert "cannot start" in (tmp_path / "log").read_text()
    assert not m.running()


def test_stop_kills_and_reaps(tmp_path):
    m = Machine(MachineConfig(tftp_root="/t"), "/u", str(tmp_path / "log"), popen=sleeper)
    assert m.start()
    pid = m.pid
    assert alive(pid)
    m.stop()
    assert not alive(pid)
    assert m.pid is None


def test_machine_dies_with_the_thread_that_started_it(tmp_path):
    """A vboard daemon killed outright must not leave QEMU running."""
    m = Machine(MachineConfig(tftp_root="/t"), "/u", str(tmp_path / "log"), popen=sleeper)
    t = threading.Thread(target=m.start)
    t.start()
    t.join()
    pid = m.pid
    deadline = time.monotonic() + 5
    while m.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(pid)


class FakeMachine:
    disk = None

    def __init__(self, startable=True, slow=0.0):
        self.startable = startable
        self.slow = slow
        self.events = []
        self.last_error = None
        self.pid = None

    def start(self):
        time.sleep(self.slow)
        self.events.append("start")
        if not self.startable:
            self.last_error = "cannot start qemu: No such file or directory"
            return False
        self.pid = 4242
        return True

    def stop(self):
        self.events.append("stop")
        self.pid = None

    def exit_status(self):
        return None


class FakeSerial:
    path = "/dev/pts/99"

    def __init__(self):
        self.flushes = 0
        self.closed = False

    def start(self):
        pass

    def flush(self):
        self.flushes += 1

    def close(self):
        self.closed = True


@pytest.fixture
def board():
    b = VBoard("vb", FakeMachine(), FakeSerial())
    b.start()
    yield b
    b.close()


def test_power_on_and_off_are_idempotent(board):
    board.set_power(True)
    board.set_power(True)
    assert board.power is True
    board.set_power(False)
    board.set_power(False)
    assert board.power is False
    assert board.machine.events == ["start", "stop"]
    assert board.serial.flushes == 1  # stale output dropped at power-on only
    assert board.boots == 1


def test_status_tells_what_the_machine_does(board):
    assert board.status()["machine"] == "off"
    board.set_power(True)
    st = board.status()
    assert st == {"name": "vb", "power": True, "machine": "running", "pid": 4242,
                  "serial": "/dev/pts/99", "boots": 1, "disk": None, "disk_resets": 0}


def test_a_machine_that_never_starts_still_has_its_outlet_on():
    b = VBoard("vb", FakeMachine(startable=False), FakeSerial())
    b.start()
    try:
        b.set_power(True)
        assert b.power is True
        assert b.status()["machine"].startswith("cannot start qemu")
    finally:
        b.close()


def test_power_requests_are_bounded():
    b = VBoard("vb", FakeMachine(slow=1.0), FakeSerial(), power_timeout=0.2)
    b.start()
    try:
        with pytest.raises(PowerError, match="did not complete within"):
            b.set_power(True)
    finally:
        b.close()


def test_close_powers_off(board):
    board.set_power(True)
    board.close()
    assert board.machine.events[-1] == "stop"
    assert board.serial.closed


def test_real_pids_are_not_left_behind(tmp_path):
    m = Machine(MachineConfig(tftp_root="/t"), "/u", str(tmp_path / "log"), popen=sleeper)
    b = VBoard("vb", m, FakeSerial())
    b.start()
    b.set_power(True)
    pid = m.pid
    assert alive(pid)
    b.close()
    assert not alive(pid)
    assert os.path.exists(tmp_path / "log")
