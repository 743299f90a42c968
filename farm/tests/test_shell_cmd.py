"""`farm shell PLACE -- CMD` against a fake coordinator and the simulated board: it logs
in on a running getty, boots a place that shows no prompt (and says why), prints the
command's output and exits with its status; a place not held is one line and status 2."""

import pytest
from fakeboard import make_target
from farmfakes import ME, OTHER, FakeClock, FakeCoordinator

from keelfarm.cli import common
from keelfarm.cli import shell as shell_cmd
from keelfarm.cli.main import main

pytestmark = pytest.mark.filterwarnings(
    "ignore:unhandled exception during event notification")


@pytest.fixture
def coord(monkeypatch):
    c = FakeCoordinator()
    c.add("vboard-1", board="vboard", health="ok", acquired=ME)
    c.add("vboard-2", board="vboard", health="ok", acquired=OTHER)
    monkeypatch.setattr(common.Coordinator, "connect", staticmethod(lambda _addr=None: c))
    return c


@pytest.fixture
def board(tmp_path, monkeypatch):
    """(strategy, board, power) of the simulated board every place resolves to."""
    made = make_target(tmp_path, FakeClock(now=100.0), shell=True, login_timeout=5)
    monkeypatch.setattr(shell_cmd, "place_target",
                        lambda c, name, env=None: made[0].target)
    monkeypatch.setattr(shell_cmd, "PROBE_TIMEOUT", 2)
    return made


def farm_shell(capsys, tmp_path, *argv):
    rc = main(["shell", *argv[:1], "--image", str(tmp_path / "Image"), "--log-dir",
               str(tmp_path / "logs"), "--", *argv[1:]])
    out, err = capsys.readouterr()
    return rc, out, err


def test_a_place_that_is_off_is_booted_and_the_command_s_status_is_the_exit_status(
        capsys, tmp_path, coord, board):
    _, fake, power = board
    rc, out, err = farm_shell(capsys, tmp_path, "vboard-1", "echo", "one;", "exit", "3")
    assert (rc, out) == (3, "one\n")
    assert "farm: vboard-1 is switched off; booting" in err
    assert power.events == ["off", "on"] and fake.logins == 1
    assert fake.shell_commands == ["echo one; exit 3"]
    assert "setenv bootargs" in fake.commands          # cleared: no value deletes it
    assert "bootargs" not in fake.env


def test_a_running_getty_is_logged_into_without_booting(capsys, tmp_path, coord, board):
    strategy, fake, _ = board
    strategy.transition("booted")  # Keel runs, its getty waits at the login prompt
    strategy.target.deactivate_all_drivers()
    rc, out, err = farm_shell(capsys, tmp_path, "vboard-1", "whoami")
    assert (rc, out, err) == (0, "root\n", "")
    assert (fake.power_ons, fake.logins) == (1, 1)
    rc, out, _ = farm_shell(capsys, tmp_path, "vboard-1", "echo again")
    assert (rc, out) == (0, "again\n")
    assert (fake.power_ons, fake.logins) == (1, 1)  # still logged in from before


def test_a_place_showing_no_prompt_is_booted_and_the_command_says_why(capsys, tmp_path,
                                                                        coord, board):
    _, fake, _ = board
    fake.power(True)  # switched on by hand: U-Boot, no Keel
    rc, out, err = farm_shell(capsys, tmp_path, "vboard-1", "echo booted")
    assert (rc, out) == (0, "booted\n")
    assert "farm: vboard-1 shows no login or shell prompt; booting" in err
    assert fake.power_ons == 2 and fake.user == "root"


def test_a_place_held_by_someone_else_or_missing_is_one_line_and_status_2(
        capsys, tmp_path, coord, board):
    _, fake, _ = board
    rc, out, err = farm_shell(capsys, tmp_path, "vboard-2", "whoami")
    assert (rc, out, err) == (2, "", f"farm: vboard-2 is held by {OTHER}\n")
    rc, out, err = farm_shell(capsys, tmp_path, "vboard-9", "whoami")
    assert (rc, out) == (2, "") and err.startswith("farm: unknown place 'vboard-9'")
    assert err.count("\n") == 1
    assert fake.power_ons == 0


def test_a_boot_that_fails_says_so_in_one_line(capsys, tmp_path, coord, board):
    _, fake, _ = board
    fake.kernel = "panic"
    rc, out, err = farm_shell(capsys, tmp_path, "vboard-1", "whoami")
    assert (rc, out) == (1, "")
    assert "farm: vboard-1: no shell: KEEL PANIC: page fault in kernel" in err
