"""The QEMU strategies' transitions, per-boot configuration, logs and failures, against
the fake QEMU (no emulator needed)."""

import json
from pathlib import Path

import fake_qemu
import pytest
from labgrid import Environment
from labgrid.strategy import StrategyError

from keelfarm.errors import BootError


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_LOG", str(tmp_path / "argv.log"))
    environment = Environment(str(fake_qemu.write_env(tmp_path, boot_timeout=3)))
    yield environment
    environment.cleanup()


@pytest.fixture
def qemu_strategy(env):  # not "strategy": labgrid's plugin treats that name as its own
    return env.get_target("main").get_driver("Strategy")


def boots(tmp_path):
    log = tmp_path / "argv.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def arg(argv, name):
    return argv[argv.index(name) + 1] if name in argv else None


def test_booted_and_off(qemu_strategy, tmp_path):
    strategy = qemu_strategy
    assert strategy.status.name == "unknown"
    strategy.configure(log_path=tmp_path / "logs" / "boot.log")
    strategy.transition("booted")
    assert strategy.status.name == "booted"
    rec = strategy.recorder
    assert rec.boot.online and rec.boot.banner.harts == (0, 1)
    assert list(rec.boot.stages) == ["opensbi", "banner", "harts_online"]
    assert strategy.qemu.poll() is None
    strategy.transition("off")
    assert strategy.status.name == "off" and strategy.qemu.status == 0
    assert "keel: all harts online" in (tmp_path / "logs" / "boot.log").read_text()
    assert [arg(a, "-smp") for a in boots(tmp_path)] == ["2"]


def test_same_config_does_not_reboot_other_config_does(qemu_strategy, tmp_path):
    strategy = qemu_strategy
    strategy.transition("booted")
    strategy.transition("booted")
    assert len(boots(tmp_path)) == 1
    strategy.configure(smp=1, append="quiet")
    strategy.transition("booted")
    argv = boots(tmp_path)[-1]
    assert (arg(argv, "-smp"), arg(argv, "-append")) == ("1", "quiet")
    assert strategy.recorder.boot.banner.nharts == 1
    strategy.configure()
    strategy.transition("booted")
    argv = boots(tmp_path)[-1]
    assert (arg(argv, "-smp"), arg(argv, "-append")) == ("2", None)


def test_deterministic_boot_counts_instructions_as_time(qemu_strategy, tmp_path):
    strategy = qemu_strategy
    strategy.transition("booted")
    assert "-icount" not in boots(tmp_path)[-1]
    strategy.configure(deterministic=True)
    strategy.transition("booted")  # a different configuration: a new boot
    assert len(boots(tmp_path)) == 2
    assert arg(boots(tmp_path)[-1], "-icount") == "shift=0,sleep=off"
    strategy.configure()
    strategy.transition("booted")
    assert len(boots(tmp_path)) == 3 and "-icount" not in boots(tmp_path)[-1]


def test_power_on_and_wait_exit(qemu_strategy):
    strategy = qemu_strategy
    strategy.configure(append="ktest")
    rec = strategy.power_on()
    assert strategy.status.name == "unknown"
    assert strategy.wait_exit(5) == 0
    assert rec.boot.ktest.failed == 1
    strategy.transition("off")
    assert rec.lines[-1].text.startswith("keel: ktest done")


def test_wait_exit_until_and_timeout(qemu_strategy):
    strategy = qemu_strategy
    strategy.configure(append="")
    rec = strategy.power_on()
    assert strategy.wait_exit(5, until=lambda: rec.boot.online) is None
    assert rec.boot.online
    assert strategy.wait_exit(0.2) is None
    strategy.power_off()


def test_panic_during_boot_is_boot_error(qemu_strategy, tmp_path, monkeypatch):
    strategy = qemu_strategy
    fake_qemu.script_console(monkeypatch, tmp_path, "OpenSBI v1.1\nKEEL PANIC: pmm: bad free "
                             "of 0x80000000 at 0x8000\nhart 0 (id 0), panicking:\n")
    with pytest.raises(BootError) as err:
        strategy.transition("booted")
    assert err.value.stage == "panic"
    assert "KEEL PANIC: pmm: bad free of 0x80000000 at 0x8000" in str(err.value)
    assert strategy.status.name == "unknown"
    strategy.transition("off")


def test_exit_before_online_is_boot_error(qemu_strategy, tmp_path, monkeypatch):
    strategy = qemu_strategy
    fake_qemu.script_console(monkeypatch, tmp_path,
                             "OpenSBI v1.1\nsbi_trap_error: illegal instruction\n", 0)
    with pytest.raises(BootError, match="QEMU exited with status 0") as err:
        strategy.transition("booted")
    assert err.value.stage == "banner"
    assert "sbi_trap_error: illegal instruction" in str(err.value)
    assert "stages: opensbi" in str(err.value)


def test_kernel_reporting_missing_harts_fails_at_once(qemu_strategy, tmp_path, monkeypatch):
    strategy = qemu_strategy
    fake_qemu.script_console(monkeypatch, tmp_path, "Keel 0.1.0 (g) on riscv-virtio: 2 harts "
                             "[0,1], 256 MiB, timebase 10000000 Hz\n"
                             "keel: only 1 of 2 harts online\nkeel> ")
    with pytest.raises(BootError, match="the kernel said 'keel: only 1 of 2 harts online'"):
        strategy.transition("booted")
    assert strategy.recorder.clock() - strategy.recorder.t0 < 2.5  # did not wait 3 s
    strategy.transition("off")


def test_silence_times_out(qemu_strategy, tmp_path, monkeypatch):
    strategy = qemu_strategy
    fake_qemu.script_console(monkeypatch, tmp_path, "OpenSBI v1.1\nKeel 0.1.0 (g) on "
                             "riscv-virtio: 2 harts [0,1], 256 MiB, timebase 10000000 Hz\n")
    with pytest.raises(BootError, match="not within 1 s") as err:
        strategy.power_on()
        strategy.wait_online(timeout=1)
    assert err.value.stage == "online"
    strategy.transition("off")


def test_a_failed_boot_does_not_break_the_next(qemu_strategy, monkeypatch):
    strategy = qemu_strategy
    monkeypatch.setenv("FAKE_QEMU_FAIL", "qemu: cannot start")
    with pytest.raises(Exception, match="cannot start"):
        strategy.transition("booted")
    monkeypatch.delenv("FAKE_QEMU_FAIL")
    strategy.transition("booted")
    assert strategy.status.name == "booted"


def test_bad_transitions(qemu_strategy):
    strategy = qemu_strategy
    with pytest.raises(StrategyError):
        strategy.transition("unknown")
    with pytest.raises(StrategyError, match="no ShellDriver"):  # the env has none
        strategy.transition("shell")
    assert strategy.status.name != "booted"
    with pytest.raises(StrategyError):
        strategy.wait_online()
    with pytest.raises(StrategyError):
        strategy.force("booted")
    strategy.force("off")
    assert strategy.status.name == "off"


def test_uboot_chain(env, tmp_path):
    strategy = env.get_target("uboot").get_driver("Strategy")
    strategy.configure(append="ktest", log_path=tmp_path / "uboot.log")
    strategy.transition("uboot")
    assert strategy.status.name == "uboot"
    staged = strategy.qemu.tftp
    assert (tmp_path / "Image").read_bytes() == Path(staged, "Image").read_bytes()
    strategy.transition("booted")
    assert len(boots(tmp_path)) == 1
    stages = list(strategy.recorder.boot.stages)
    assert stages[:6] == ["opensbi", "uboot", "uboot_prompt", "tftp_done", "banner",
                          "harts_online"]
    argv = boots(tmp_path)[0]
    assert arg(argv, "-append") is None and arg(argv, "-kernel").endswith("uboot.elf")
    assert strategy.wait_exit(5) == 0
    assert strategy.recorder.boot.ktest is not None  # bootargs reached the kernel
    strategy.transition("off")
    assert strategy.qemu.tftp is not None and not Path(staged).exists()
    log = (tmp_path / "uboot.log").read_text()
    assert "tftpboot ${kernel_addr_r} Image" in log and "Starting kernel" in log


def test_uboot_load_failure(env, tmp_path):
    strategy = env.get_target("uboot").get_driver("Strategy")
    strategy.image_name = "Image"
    strategy.load_command = "tftpboot ${kernel_addr_r} missing"
    with pytest.raises(Exception, match="tftpboot"):
        strategy.transition("booted")
    strategy.transition("off")


def test_a_reboot_ends_qemu_unless_the_boot_reboots(qemu_strategy, tmp_path):
    """Under the environment's -no-reboot a kernel that resets the machine ends QEMU;
    configured to reboot, -no-reboot is left out and boot_again follows the reset into
    the next boot, whose stages start afresh."""
    strategy = qemu_strategy
    strategy.configure(append="reboot")
    strategy.power_on()
    assert strategy.wait_exit(5) == 0
    assert "-no-reboot" in boots(tmp_path)[-1]
    with pytest.raises(StrategyError, match="without reboots"):
        strategy.boot_again(5)
    strategy.configure(append="reboot", reboots=True)
    rec = strategy.power_on()
    assert "-no-reboot" not in boots(tmp_path)[-1]
    assert strategy.boot_again(5) is rec and strategy.status.name == "booted"
    assert len(rec.earlier_boots) == 1 and "reboot" in rec.earlier_boots[0].stages
    assert rec.boot.online and "reboot" not in rec.boot.stages
    assert [line.text for line in rec.lines].count("keel: all harts online") == 2
    assert strategy.qemu.poll() is None
    strategy.transition("off")


def test_a_boot_that_never_resets_is_a_boot_error(qemu_strategy):
    strategy = qemu_strategy
    strategy.configure(append="", reboots=True)
    strategy.power_on()
    with pytest.raises(BootError) as err:
        strategy.boot_again(0.5)
    assert err.value.stage == "reboot" and "keel: rebooting" in str(err.value)
    strategy.transition("off")


def test_uboot_chain_boots_again_after_a_reboot(env, tmp_path):
    strategy = env.get_target("uboot").get_driver("Strategy")
    strategy.configure(append="reboot", reboots=True)
    strategy.transition("booted")
    rec = strategy.boot_again(5)
    assert len(boots(tmp_path)) == 1            # one QEMU: the guest reset itself
    assert list(rec.boot.stages)[:5] == ["opensbi", "uboot", "uboot_prompt", "tftp_done", "banner"]
    log = "\n".join(line.text for line in rec.lines)
    assert log.count("Starting kernel") == 2 and log.count("keel: all harts online") == 2
    strategy.transition("off")
