"""KeelQEMUDriver against the fake QEMU: command line, FIFO console, self-exit, failures.
Also: the shipped environment files load and resolve their images."""

import json
from pathlib import Path

import fake_qemu
import pexpect
import pytest
from labgrid import Environment
from labgrid.driver.exception import ExecutionError

from keelfarm.driver import KeelQEMUDriver

ENVS = Path(__file__).resolve().parents[1] / "envs"


@pytest.fixture
def env(tmp_path):
    environment = Environment(str(fake_qemu.write_env(tmp_path)))
    yield environment
    environment.cleanup()


@pytest.fixture
def qemu(env):
    return env.get_target("main").get_driver("KeelQEMUDriver", activate=False)


def read_all(driver, timeout=5.0):
    data = b""
    while True:
        try:
            data += driver.read(size=4096, timeout=timeout)
        except pexpect.EOF:
            return data


def test_command_line(qemu, tmp_path):
    qemu.smp, qemu.boot_args, qemu.tftp = 3, "ktest", str(tmp_path)
    qemu.target.activate(qemu)
    cmd = qemu._cmd
    assert cmd[0] == str(tmp_path / "qemu")
    assert cmd[cmd.index("-kernel") + 1] == str(tmp_path / "Image")
    assert cmd[cmd.index("-smp") + 1] == "3"
    assert cmd[cmd.index("-append") + 1] == "ktest"
    assert cmd[cmd.index("-netdev") + 1] == f"user,id=n0,tftp={tmp_path}"
    assert "virtio-net-device,netdev=n0" in cmd
    assert cmd[cmd.index("-bios"):cmd.index("-bios") + 3] == ["-bios", "default", "-no-reboot"]
    assert cmd[cmd.index("-chardev") + 1].startswith("pipe,id=console,path=")
    assert cmd[cmd.index("-serial") + 1] == "chardev:console"


def test_disk_is_attached_once_on_a_private_copy(qemu, tmp_path):
    image = tmp_path / "disk.img"
    image.write_bytes(b"\x5a" * 4096)
    qemu.target.env.config.data.setdefault("images", {})["disk"] = str(image)
    qemu.disk, qemu.boot_args = "disk", "ktest"
    qemu.target.activate(qemu)
    cmd = qemu._cmd
    drives = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "-drive"]
    assert drives == [f"file={qemu.disk_path},if=none,format=raw,id=disk0"]
    assert qemu.disk_path != str(image)
    assert Path(qemu.disk_path).read_bytes() == image.read_bytes()
    assert "virtio-blk-device,drive=disk0" in cmd
    assert cmd[cmd.index("-append") + 1] == "ktest"         # no root= of the base class


def test_console_until_guest_exits(qemu):
    qemu.boot_args = "ktest"
    qemu.target.activate(qemu)
    qemu.on()
    text = read_all(qemu).decode()
    assert "keel: all harts online\n" in text and "keel: ktest done" in text
    assert qemu.wait_exit(5) == 0
    qemu.off()
    assert qemu.status == 0 and qemu.exit_status == 0 and qemu.poll() == 0
    with pytest.raises(pexpect.EOF):
        qemu.read(timeout=0.1)


def test_off_quits_running_qemu_and_boots_again(qemu, tmp_path, monkeypatch):
    log = tmp_path / "argv.log"
    monkeypatch.setenv("FAKE_QEMU_LOG", str(log))
    qemu.target.activate(qemu)
    for _ in range(2):
        qemu.on()
        qemu.expect("keel> ", timeout=5)
        assert qemu.poll() is None and qemu.wait_exit(0.1) is None
        qemu.off()
        assert qemu.exit_status == 0
    assert len(log.read_text().splitlines()) == 2
    qemu.target.deactivate(qemu)
    assert qemu._tempdir is None


def test_console_input_reaches_fifo(qemu):
    qemu.target.activate(qemu)
    qemu.on()
    qemu.expect("keel> ", timeout=5)
    assert qemu.write(b"help\n") == 5
    qemu.off()


def test_exit_status_kept(qemu, tmp_path, monkeypatch):
    fake_qemu.script_console(monkeypatch, tmp_path, "OpenSBI v1.1\nbye\n", 3)
    qemu.target.activate(qemu)
    qemu.on()
    assert read_all(qemu) == b"OpenSBI v1.1\nbye\n"
    qemu.off()
    assert qemu.exit_status == 3


def test_failed_start_reports_stderr(qemu, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_FAIL", "qemu-system-riscv64: -smp 99: too many harts")
    qemu.target.activate(qemu)
    with pytest.raises(ExecutionError, match="too many harts") as err:
        qemu.on()
    assert "exit status 1" in str(err.value)
    assert qemu.status == 0


@pytest.mark.parametrize("name, machine, smp", [("qemu-virt", "virt", 4),
                                                 ("qemu-sifive-u", "sifive_u", 5)])
def test_shipped_envs_load(name, machine, smp):
    env = Environment(str(ENVS / f"{name}.yaml"))
    target = env.get_target("main")
    qemu = target.get_driver("KeelQEMUDriver", activate=False)
    assert isinstance(qemu, KeelQEMUDriver)
    assert (qemu.machine, qemu.smp, qemu.memory) == (machine, smp, "512M")
    assert env.config.get_image_path("kernel") == str(
        ENVS / ".." / ".." / "build" / "os" / "Image")
    strategy = target.get_driver("Strategy")
    assert strategy.default_smp == smp and strategy.status.name == "unknown"
    options = env.config.get_targets()["main"]["options"]
    assert json.dumps(options["keel_skipped_harts"]) == ("[0]" if machine == "sifive_u"
                                                          else "[]")


def test_virt_env_has_uboot_target():
    env = Environment(str(ENVS / "qemu-virt.yaml"))
    target = env.get_target("uboot")
    strategy = target.get_driver("Strategy")
    assert type(strategy).__name__ == "KeelQEMUUBootStrategy"
    assert env.config.get_image_path("uboot").endswith("qemu-riscv64_smode/uboot.elf")
