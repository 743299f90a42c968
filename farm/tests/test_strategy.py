"""The Unmatched strategy against a simulated board: transitions, stage times, and every
way a boot can stop short."""

import pytest
import ubootshell
from fakeboard import make_target
from farmfakes import FakeClock
from labgrid.strategy.common import StrategyError

from keelfarm.errors import BootError
from keelfarm.strategy.bootargs import bootargs_commands
from keelfarm.strategy.ubootstrategy import Status, UnmatchedStrategy

# labgrid's console step logger flushes a buffer it only creates on the first read; with
# a console written to before it is read it warns (and carries on).  Not ours to fix.
pytestmark = pytest.mark.filterwarnings(
    "ignore:unhandled exception during event notification")


@pytest.fixture
def clock():
    return FakeClock(now=100.0)


def test_off_to_uboot_to_booted(tmp_path, clock):
    strategy, board, power = make_target(tmp_path, clock)
    strategy.transition("uboot")
    assert strategy.status == Status.uboot
    assert power.events == ["off", "on"]
    assert board.env == {"autoload": "no"}
    assert "dhcp" in board.commands
    strategy.transition("booted")
    assert strategy.status == Status.booted
    assert power.events == ["off", "on"]  # booted continues from the prompt, no cycle
    assert "tftpboot ${kernel_addr_r} vb/Image" in board.commands
    assert board.commands[-1] == "booti ${kernel_addr_r} - ${fdtcontroladdr}"
    assert strategy.banner.nharts == 4
    assert strategy.banner.compatible == "sifive,hifive-unmatched-a00"


def test_a_uboot_slow_to_echo_its_prompt_check_is_still_reached(tmp_path, clock):
    """The prompt check's echo took over 2 s to come back on a loaded host: labgrid's
    own driver gives up there (and the board looks dead), ours waits for it."""
    from labgrid.driver import UBootDriver
    strategy, board, _ = make_target(tmp_path, clock, slow_echo=2.5, uboot=UBootDriver)
    with pytest.raises(BootError, match="did not reach the U-Boot prompt"):
        strategy.transition("uboot")
    strategy, board, _ = make_target(tmp_path / "keel", clock, slow_echo=2.5)
    strategy.transition("uboot")
    assert strategy.status == Status.uboot and "dhcp" in board.commands


def test_stage_times_are_measured_from_power_on_in_boot_order(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock)
    strategy.transition("booted")
    stages = strategy.stages
    order = ["opensbi", "uboot_prompt", "tftp_done", "banner", "harts_online"]
    assert all(k in stages for k in order), stages
    times = [stages[k] for k in order]
    assert times == sorted(times)
    assert 0 <= times[0] < 1.0  # measured from power-on, not from process start
    assert strategy.recorder.boot.skipped[0].hart == 0


def test_a_stale_prompt_is_not_taken_for_the_next_boots(tmp_path, clock):
    """Output left in the expect buffer from before a power cycle (here the prompt after a
    manual command) must not pass for the new boot's prompt: the driver would type into
    the firmware and U-Boot would eat the first key as 'stop autoboot'."""
    strategy, board, _ = make_target(tmp_path, clock)
    strategy.transition("uboot")
    strategy.console.sendline("echo manual")
    strategy.console.expect("manual")  # leaves "\r\n=> " in the buffer
    strategy.status = Status.unknown
    strategy.transition("booted")
    assert board.power_ons == 2
    assert not any(c.startswith(("cho", "ho ")) for c in board.commands), board.commands


def test_booted_from_off_power_cycles_once(tmp_path, clock):
    strategy, board, power = make_target(tmp_path, clock)
    strategy.transition("booted")
    assert power.events == ["off", "on"]
    assert board.power_ons == 1
    strategy.transition("booted")  # nothing changed: nothing to do
    assert board.power_ons == 1
    strategy.transition("off")
    assert not board.powered
    strategy.transition("booted")
    assert board.power_ons == 2


def test_a_new_command_line_reboots_through_bootargs(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock)
    strategy.transition("booted")
    strategy.configure(append="ktest")
    strategy.transition("booted")
    assert board.power_ons == 2
    assert board.env["bootargs"] == "ktest"


def test_a_command_line_longer_than_a_uboot_line_reaches_bootargs_whole(tmp_path, clock):
    """U-Boot reads 255 bytes a line: a longer command line goes in pieces, each line
    within the limit, and bootargs holds it whole."""
    strategy, board, _ = make_target(tmp_path, clock)
    append = "init=/bin/hello " + " ".join(f"word{i:03d}" for i in range(80))
    assert len(append) > 2 * ubootshell.LINE_MAX
    strategy.configure(append=append)
    strategy.transition("booted")
    assert board.env["bootargs"] == append
    setenvs = [c for c in board.commands if c.startswith("setenv bootargs")]
    assert len(setenvs) >= 3


def test_a_command_line_uboot_cannot_hold_is_refused_with_the_reason(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock)
    strategy.configure(append="init=/bin/echo 'quoted'")
    with pytest.raises(BootError, match="holds \"'\", which cannot pass through U-Boot"):
        strategy.transition("booted")


def test_bootargs_commands_fit_the_limit_and_join_back():
    append = "x" * 1000
    commands = bootargs_commands(append, limit=100)
    assert all(len(c) <= 100 for c in commands)
    env: dict[str, str] = {}
    for c in commands:
        assert ubootshell.setenv(c, env)
    assert env["bootargs"] == append
    assert bootargs_commands("") == ["setenv bootargs"]
    assert bootargs_commands("a b") == ["setenv bootargs 'a b'"]
    with pytest.raises(ValueError, match=r"holds '\\n'"):
        bootargs_commands("a\nb")


def test_the_staged_image_is_the_one_booted(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock, image=b"my kernel")
    strategy.transition("booted")
    assert (tmp_path / "tftp" / "vb" / "Image").read_bytes() == b"my kernel"


def test_smp_is_fixed_on_a_board(tmp_path, clock):
    strategy, _, _ = make_target(tmp_path, clock)
    strategy.configure(smp=5)
    with pytest.raises(StrategyError, match="has 5 harts; it cannot boot with 8"):
        strategy.configure(smp=8)


def test_board_not_reaching_uboot(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock, reaches_uboot=False, login_timeout=1)
    with pytest.raises(BootError, match="did not reach the U-Boot prompt within 1 s") as e:
        strategy.transition("booted")
    assert e.value.stage == "uboot" and e.value.board_fault
    assert strategy.status == Status.unknown


def test_no_banner_after_booti(tmp_path, clock):
    strategy, _, _ = make_target(tmp_path, clock, kernel="silent")
    with pytest.raises(BootError, match="no Keel banner within 30 s of booti") as e:
        strategy.transition("booted")
    # a kernel that dies before its banner looks like a board that died: unclear
    assert e.value.stage == "banner" and not e.value.board_fault and e.value.unclear
    assert "tftp_done" in strategy.stages and "banner" not in strategy.stages


def test_an_image_u_boot_refuses_is_the_image_s_fault_not_the_board_s(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock, kernel="bad-magic")
    with pytest.raises(BootError, match="U-Boot refused the image: Bad Linux RISCV Image "
                                        "magic!") as e:
        strategy.transition("booted")
    assert e.value.stage == "image" and not e.value.board_fault and not e.value.unclear
    # told at once, not after the banner timeout
    assert strategy.stages["image_rejected"] - strategy.stages["tftp_done"] < 5


def test_harts_never_online(tmp_path, clock):
    strategy, _, _ = make_target(tmp_path, clock, kernel="no-online")
    with pytest.raises(BootError, match="all harts online") as e:
        strategy.transition("booted")
    assert e.value.stage == "online" and not e.value.board_fault


def test_a_panic_is_the_images_fault(tmp_path, clock):
    strategy, _, _ = make_target(tmp_path, clock, kernel="panic")
    with pytest.raises(BootError, match="KEEL PANIC: page fault in kernel at "
                                        "0xffffffc000201234") as e:
        strategy.transition("booted")
    assert e.value.stage == "panic" and not e.value.board_fault


def test_tftp_failure(tmp_path, clock, monkeypatch):
    strategy, board, _ = make_target(tmp_path, clock)
    monkeypatch.setattr(board, "tftp_root", str(tmp_path / "elsewhere"))
    with pytest.raises(BootError, match="could not load vb/Image by TFTP") as e:
        strategy.transition("booted")
    assert e.value.stage == "tftp"


def test_a_reset_while_loading_is_a_boot_error(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock)
    strategy.tftp_timeout = 1
    board.reset_on = "tftpboot"
    with pytest.raises(BootError, match="U-Boot stopped answering during 'tftpboot") as e:
        strategy.transition("booted")
    assert e.value.stage == "reset" and not e.value.board_fault
    strategy.transition("booted")  # and the next boot starts clean
    assert strategy.status == Status.booted


def test_power_cycle_during_boot_recovers(tmp_path, clock):
    """Someone pulls the plug mid-boot: the boot fails, the next one starts clean."""
    strategy, board, power = make_target(tmp_path, clock, kernel="silent")
    strategy.power_on()
    power.off()
    with pytest.raises(BootError, match="no Keel banner"):
        strategy.wait_online()
    board.kernel = "ok"
    strategy.transition("booted")
    assert strategy.status == Status.booted
    assert "keel: all harts online" in strategy.recorder.text
    assert "no Keel banner" not in strategy.recorder.text


def test_a_pdu_that_fails_is_the_board_s_fault(tmp_path, clock, monkeypatch):
    """The outlet does not switch (the PDU refuses the connection): a board fault,
    told to the boot listeners as every failed boot is, with the PDU's own error."""
    import requests
    strategy, board, power = make_target(tmp_path, clock)
    told = []
    strategy.add_boot_listener(told.append)

    def refused():
        raise requests.ConnectionError("[Errno 111] Connection refused")
    monkeypatch.setattr(power, "on", refused)
    with pytest.raises(BootError, match="the board's PDU failed to switch its outlet on: "
                                        "ConnectionError: .*Connection refused") as e:
        strategy.transition("booted")
    assert e.value.stage == "power" and e.value.board_fault
    assert told == [e.value]
    monkeypatch.undo()
    strategy.transition("booted")  # the PDU answers again: the next boot starts clean
    assert strategy.status == Status.booted


def test_a_serial_line_that_cannot_be_opened_is_the_board_s_fault(tmp_path, clock,
                                                                   monkeypatch):
    from serial import SerialException
    strategy, board, power = make_target(tmp_path, clock)

    def gone():
        raise SerialException("could not open port: connection refused")
    monkeypatch.setattr(strategy.console, "on_activate", gone)
    with pytest.raises(BootError, match="the board's serial line failed: SerialException: "
                                        "could not open port") as e:
        strategy.transition("uboot")
    assert e.value.stage == "serial" and e.value.board_fault
    assert board.power_ons == 0  # nothing switched on with no console to watch it


def test_wait_exit_is_the_power_off_line(tmp_path, clock):
    strategy, _, _ = make_target(tmp_path, clock, kernel="poweroff")
    strategy.configure(append="ktest")
    rec = strategy.power_on()
    assert strategy.wait_exit(10, until=lambda: rec.boot.ktest is not None) == 0
    assert rec.boot.ktest.passed == 3


def test_wait_exit_times_out_on_a_board_that_keeps_running(tmp_path, clock):
    strategy, _, _ = make_target(tmp_path, clock)
    strategy.transition("booted")
    assert strategy.wait_exit(5) is None


def test_force_and_unknown_states(tmp_path, clock):
    strategy, _, _ = make_target(tmp_path, clock)
    with pytest.raises(StrategyError):
        strategy.transition("unknown")
    with pytest.raises(StrategyError, match="no ShellDriver"):
        strategy.transition("shell")
    strategy.force("off")
    assert strategy.status == Status.off
    with pytest.raises(StrategyError, match="can not force"):
        strategy.force("booted")


def test_the_strategies_implement_the_boot_protocol():
    from keelfarm.protocol import KeelBootProtocol
    from keelfarm.strategy.qemustrategy import KeelQEMUStrategy
    from keelfarm.strategy.qemuubootstrategy import KeelQEMUUBootStrategy
    for cls in (UnmatchedStrategy, KeelQEMUStrategy, KeelQEMUUBootStrategy):
        assert issubclass(cls, KeelBootProtocol)
        assert not cls.__abstractmethods__, cls


def test_the_strategy_only_tells_its_boots(tmp_path, clock):
    """No health bookkeeping and no coordinator in the strategy: it tells listeners."""
    strategy, board, _ = make_target(tmp_path, clock, reaches_uboot=False, login_timeout=1)
    told = []
    strategy.add_boot_listener(told.append)
    strategy.add_boot_listener(told.append)  # once is enough
    with pytest.raises(BootError):
        strategy.transition("booted")
    board.reaches_uboot = True
    strategy.transition("booted")
    assert [e.stage if e else None for e in told] == ["uboot", None]
    assert not hasattr(strategy, "report_health")


def test_a_local_target_gets_no_health_listener(tmp_path, clock):
    from keelfarm import boothealth
    strategy, _, _ = make_target(tmp_path, clock)
    assert boothealth.listener_for(strategy.target) is None
    boothealth.attach(strategy, strategy.target)
    strategy.transition("booted")  # and nothing records health


def test_test_runs_record_health_in_the_place_tags(tmp_path, clock):
    from farmfakes import FakeCoordinator

    from keelfarm import boothealth
    coord = FakeCoordinator()
    coord.add("vb", board="vboard", health="ok")
    strategy, board, _ = make_target(tmp_path, clock, reaches_uboot=False, login_timeout=1)
    strategy.add_boot_listener(boothealth.health_listener(lambda: ("vb", coord)))
    for _ in range(2):
        with pytest.raises(BootError):
            strategy.transition("booted")
    assert coord.place("vb").tags["health"] == "bad"
    board.reaches_uboot = True
    strategy.transition("booted")  # a test's boot passes: only `farm health` says ok
    assert coord.place("vb").tags["health"] == "bad"
    assert "health_failures" not in coord.place("vb").tags


def test_a_silent_kernel_is_not_counted_against_the_board(tmp_path, clock):
    from farmfakes import FakeCoordinator

    from keelfarm import boothealth
    coord = FakeCoordinator()
    coord.add("vb", board="vboard", health="ok")
    strategy, _, _ = make_target(tmp_path, clock, kernel="silent")
    strategy.add_boot_listener(boothealth.health_listener(lambda: ("vb", coord)))
    with pytest.raises(BootError):
        strategy.transition("booted")
    assert coord.calls == []


# -- the boot image and the shell state ---------------------------------------------------

def test_the_boot_image_is_loaded_after_the_kernel_and_given_to_booti(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock, initrd=b"cpio archive")
    strategy.transition("booted")
    loads = [c for c in board.commands if c.startswith("tftpboot ")]
    assert loads == ["tftpboot ${kernel_addr_r} vb/Image",
                     "tftpboot ${ramdisk_addr_r} vb/initrd.cpio"]
    # booti takes the size of the last file loaded: the boot image must come last
    assert board.commands[-1] == ("booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} "
                                  "${fdtcontroladdr}")
    assert (tmp_path / "tftp" / "vb" / "initrd.cpio").read_bytes() == b"cpio archive"
    assert (tmp_path / "tftp" / "vb" / "Image").read_bytes() == b"keel image"


def test_a_missing_boot_image_stops_the_boot_before_power_on(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock, initrd=b"x")
    strategy.initrd = str(tmp_path / "gone.cpio")
    with pytest.raises(BootError, match="boot image .*gone.cpio not found") as e:
        strategy.transition("booted")
    assert e.value.stage == "tftp" and board.power_ons == 0


def test_a_boot_image_needs_the_initrd_boot_command(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock, initrd=b"x")
    strategy.uboot.boot_commands = {}
    with pytest.raises(StrategyError, match="boot_commands: initrd"):
        strategy.transition("booted")
    assert not any(c.startswith("booti") for c in board.commands)


def test_the_shell_state_boots_without_init_and_logs_in(tmp_path, clock):
    strategy, board, power = make_target(tmp_path, clock, shell=True)
    strategy.configure(append="ktest")  # a command line without init= keeps the getty
    strategy.transition("shell")
    assert strategy.status == Status.shell
    assert (board.user, board.logins, board.env["bootargs"]) == ("root", 1, "ktest")
    assert strategy.shell.run("echo hello; exit 3") == (["hello"], [], 3)
    assert board.shell_commands[-1] == "echo hello; exit 3"
    strategy.transition("shell")  # nothing changed: nothing to do
    assert (power.events, board.logins) == (["off", "on"], 1)


def test_a_booted_board_is_logged_into_without_a_power_cycle(tmp_path, clock):
    strategy, board, power = make_target(tmp_path, clock, shell=True)
    strategy.transition("booted")
    strategy.transition("shell")
    assert power.events == ["off", "on"] and board.logins == 1


def test_power_off_ends_the_login_and_the_next_shell_boots_and_logs_in_again(tmp_path,
                                                                                clock):
    strategy, board, _ = make_target(tmp_path, clock, shell=True)
    strategy.transition("shell")
    strategy.transition("off")
    strategy.transition("shell")
    assert (board.power_ons, board.logins) == (2, 2)
    assert strategy.shell.run("whoami") == (["root"], [], 0)


def test_a_shell_with_init_on_the_command_line_is_refused_before_power_on(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock, shell=True)
    strategy.configure(append="init=/bin/hello")
    with pytest.raises(StrategyError, match="init= replaces /sbin/init"):
        strategy.transition("shell")
    assert board.power_ons == 0


def test_a_refused_login_is_a_login_boot_error_and_the_board_stays_booted(tmp_path, clock):
    strategy, board, _ = make_target(tmp_path, clock, shell=True, login_timeout=2)
    board.accounts = {"root": "another password"}
    with pytest.raises(BootError, match="did not reach the prompt") as e:
        strategy.transition("shell")
    assert e.value.stage == "login" and not e.value.board_fault and not e.value.unclear
    assert strategy.status == Status.booted
    assert "Login incorrect" in strategy.recorder.text


def test_boot_again_follows_a_reboot_through_u_boot_without_the_outlet(tmp_path, clock):
    strategy, board, power = make_target(tmp_path, clock, kernel="reboot")
    strategy.configure(reboots=True)
    strategy.transition("booted")
    told = []
    strategy.add_boot_listener(told.append)
    rec = strategy.boot_again(10)
    assert strategy.status == Status.booted and told == [None]
    assert power.events == ["off", "on"]            # the board reset itself
    assert [c for c in board.commands if c.startswith("booti")] == [
        "booti ${kernel_addr_r} - ${fdtcontroladdr}"] * 2
    assert len(rec.earlier_boots) == 1 and "reboot" in rec.earlier_boots[0].stages
    assert rec.boot.online and "uboot_prompt" in rec.boot.stages
    with pytest.raises(BootError) as e:             # no second reset comes
        strategy.boot_again(1)
    assert e.value.stage == "reboot"


def test_reset_disk_powers_off_and_asks_the_lab_beside_the_pdu(tmp_path, clock):
    """A vboard's disk is reset by the lab's POST /disk/reset on the PDU's host; a board
    whose PDU has none (a physical board's) says the farm cannot."""
    from types import SimpleNamespace

    from labgrid.driver.exception import ExecutionError
    from test_vboard_pdu import FakeOutlet

    from keelfarm.strategy.ubootstrategy import disk_reset_url
    from keelfarm.vboard.pdu import PduServer

    assert disk_reset_url("http://10.0.0.5:8080/relay/{index}/{value}") == \
        "http://10.0.0.5:8080/disk/reset"
    outlet = FakeOutlet()
    server = PduServer(outlet)
    server.start()
    try:
        strategy, board, power = make_target(tmp_path, clock)
        power.port = SimpleNamespace(host=server.url())
        strategy.transition("uboot")
        strategy.reset_disk()
        assert power.events[-1] == "off" and strategy.status == Status.off
        assert outlet.resets == 1
        outlet.disk = None
        with pytest.raises(ExecutionError, match=r"cannot be reset from the farm .*404 "
                                                 r"fake has no disk"):
            strategy.reset_disk()
    finally:
        server.stop()
