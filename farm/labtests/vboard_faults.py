"""Fault tests against a live local lab (`farm lab up`) with real vboards.

Not collected by `pytest farm` (the name does not start with test_): the integration
run passes this file explicitly, with LG_COORDINATOR and KEEL_LAB_DIR pointing at the
lab and KEEL_IMAGE at the kernel, after the lab is up.
"""

from __future__ import annotations

import os
import pty
import re
import select
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
import yaml
from labenv import QUIET_CONSOLE, need

from keelfarm import health, reserve
from keelfarm.cli.main import main
from keelfarm.errors import BootError, FarmError
from keelfarm.lab.lab import Lab, LabSettings, tool
from keelfarm.remote import Coordinator
from keelfarm.target import ENVS, place_target

pytestmark = QUIET_CONSOLE


@pytest.fixture(scope="module")
def lab_dir():
    need("LG_COORDINATOR")
    return need("KEEL_LAB_DIR")


@pytest.fixture(scope="module")
def image():
    path = need("KEEL_IMAGE")
    assert Path(path).is_file(), path
    return os.path.abspath(path)


@pytest.fixture
def coord(lab_dir):
    c = Coordinator.connect()
    yield c
    c.close()


@pytest.fixture
def held(coord):
    got = reserve.reserve(coord, board="vboard", duration=600, wait=True, timeout=120,
                          say=lambda _m: None)
    yield got.place
    coord.sync()
    if coord.place(got.place).acquired == coord.identity:
        reserve.release(coord, got.place, time.time())


def strategy_for(coord, place, image):
    target = place_target(coord, place)
    strategy = target.get_driver("UnmatchedStrategy")
    strategy.image = image
    return target, strategy


def pdu_url(coord, place) -> str:
    for exporter, group, cls, name in coord.place(place).acquired_resources:
        if cls == "NetworkPowerPort":
            return coord.resources()[exporter][group][name].params["host"]
    raise AssertionError(f"{place} has no power port")


def test_power_cycle_during_boot(coord, held, image):
    """Someone switches the outlet off and on while the kernel is being loaded: the boot
    fails with a clear error within its timeouts, and the next boot passes."""
    target, strategy = strategy_for(coord, held, image)
    strategy.banner_timeout = 15.0
    outcome = {}

    def boot():
        try:
            strategy.transition("booted")
            outcome["result"] = "booted"
        except Exception as e:  # the outcome is what we assert on
            outcome["result"] = e

    thread = threading.Thread(target=boot)
    thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "result" not in outcome:
        rec = strategy.recorder
        if rec is not None and "tftp_done" in rec.boot.stages:
            break
        time.sleep(0.01)
    url = pdu_url(coord, held)
    requests.get(url.format(index=0, value=0), timeout=10).raise_for_status()
    time.sleep(1.0)
    requests.get(url.format(index=0, value=1), timeout=10).raise_for_status()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the interrupted boot did not end within its timeouts"
    assert isinstance(outcome["result"], BootError), outcome["result"]
    strategy.transition("booted")
    assert strategy.recorder.boot.online
    target.deactivate_all_drivers()


def test_serial_reconnect(coord, held, image):
    """The console client disconnects and reconnects; the board stays reachable."""
    target, strategy = strategy_for(coord, held, image)
    strategy.transition("uboot")
    console = strategy.console
    target.deactivate(console)
    time.sleep(1.0)
    target.activate(console)
    console.sendline("echo reconnect-''ok")
    console.expect("reconnect-ok", timeout=10)
    strategy.status = strategy.states.unknown  # U-Boot driver was dropped with the console
    strategy.transition("booted")
    assert strategy.recorder.boot.online
    target.deactivate_all_drivers()


def test_exporter_restart_keeps_the_reservation(coord, held, image, lab_dir, capsys):
    """The exporter restarts under a held place: the place comes back to its holder and a
    boot on it passes."""
    address = os.environ["LG_COORDINATOR"]
    port = int(address.rsplit(":", 1)[1])
    Lab(LabSettings(run_dir=lab_dir, port=port)).restart_exporter(say=lambda _m: None)
    rc = main(["boot", held, "--image", image])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "all harts online" in out
    coord.sync()
    assert coord.place(held).acquired == coord.identity


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quick_env(tmp_path) -> str:
    """vboard.yaml with short waits, so a dead board fails in seconds."""
    data = yaml.safe_load((ENVS / "vboard.yaml").read_text()
                          .replace('!template "$LG_PLACE"', '"$LG_PLACE"'))
    data["targets"]["main"]["resources"]["RemotePlace"]["name"] = os.environ.get(
        "LG_PLACE", "vboard-1")
    drivers = data["targets"]["main"]["drivers"]
    drivers["KeelUBootDriver"]["login_timeout"] = 3
    drivers["UnmatchedStrategy"]["off_time"] = 0.5
    for name, rel in data["images"].items():  # relative to the env file, which moves
        data["images"][name] = str(ENVS / rel)
    path = tmp_path / "vboard-quick.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))  # drivers bind in file order
    return str(path)


def test_vboard_whose_qemu_never_starts(tmp_path, image, capsys, monkeypatch):
    """A board whose machine never starts: each boot times out with a clear error, the
    second in a row tags it unhealthy, and reserve stops handing it out."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    dead = Lab(LabSettings(run_dir=str(tmp_path / "lab"), boards=1, port=port,
                           qemu=str(tmp_path / "no-such-qemu")))
    monkeypatch.setenv("LG_PLACE", "vboard-1")
    monkeypatch.setenv("LG_COORDINATOR", address)  # place_target sets it; restore after
    dead.up(say=lambda _m: None)
    try:
        env = quick_env(tmp_path)
        assert main(["-c", address, "reserve", "--board", "vboard"]) == 0
        for attempt in (1, 2):
            rc = main(["-c", address, "boot", "vboard-1", "--image", image, "--env", env])
            out, err = capsys.readouterr()
            assert rc == 1
            assert err.strip().endswith("board did not reach the U-Boot prompt within 3 s of "
                                        "power-on"), err
            assert ("now tagged unhealthy" in out) == (attempt == 2), out
        assert main(["-c", address, "release"]) == 0
        capsys.readouterr()
        assert main(["-c", address, "reserve", "--board", "vboard"]) == 1
        _, err = capsys.readouterr()
        assert "every board tagged board=vboard is unhealthy (vboard-1)" in err
        c = Coordinator.connect(address)
        try:
            assert health.health(c.place("vboard-1")) == health.BAD
        finally:
            c.close()
    finally:
        dead.down(say=lambda _m: None)
    with pytest.raises(FarmError, match="no coordinator"):
        Coordinator.connect(address)


def read_until(fd: int, pattern: str, timeout: float, seen: bytearray) -> re.Match:
    """Read the pty `fd` into `seen` until `pattern` matches what arrived."""
    deadline = time.monotonic() + timeout
    regex = re.compile(pattern.encode())
    while not (m := regex.search(seen)):
        left = deadline - time.monotonic()
        assert left > 0, f"no {pattern!r} within {timeout:.0f} s; console: {seen[-400:]!r}"
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            seen += os.read(fd, 4096)
    return m


def test_labgrid_client_lock_power_console_unlock(coord, image):
    """A labgrid user's round trip on a farm board with labgrid's own client: lock,
    power, console (U-Boot, then the Keel banner) and unlock."""
    address = os.environ["LG_COORDINATOR"]
    coord.sync()
    name = next(p.name for p in sorted(coord.places().values(), key=lambda p: p.name)
                if not p.acquired and health.health(p) == health.OK)
    client = [tool("labgrid-client"), "-x", address, "-p", name]

    def lgc(*args):
        proc = subprocess.run(client + list(args), capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, f"labgrid-client {' '.join(args)}: {proc.stderr}"
        return proc.stdout

    lgc("lock")
    coord.sync()  # this process's session (shared with main() below) sees the lock
    console = None
    try:
        assert main(["boot", name, "--image", image]) == 0  # stages <place>/Image
        lgc("power", "off")
        master, slave = pty.openpty()
        console = subprocess.Popen(client + ["console"], stdin=slave, stdout=slave,
                                   stderr=slave, start_new_session=True)
        os.close(slave)
        seen = bytearray()
        time.sleep(2.0)  # microcom connects
        lgc("power", "on")
        read_until(master, "Hit any key to stop autoboot", 60, seen)
        os.write(master, b"\n")
        read_until(master, "=> ", 20, seen)
        os.write(master, f"setenv autoload no; dhcp; tftpboot ${{kernel_addr_r}} {name}/Image;"
                         f" booti ${{kernel_addr_r}} - ${{fdtcontroladdr}}\n".encode())
        banner = read_until(master, r"Keel \S+ \([^)]*\) on [^:]+: \d+ harts", 90, seen)
        assert b"riscv-virtio" in banner.group(0)
    finally:
        if console is not None:
            console.terminate()
            console.wait(timeout=10)
        subprocess.run(client + ["power", "off"], capture_output=True, timeout=60)
        lgc("unlock")
    coord.sync()
    assert coord.place(name).acquired is None


def test_health_check_brings_an_unhealthy_vboard_back(coord, held, image, capsys):
    """A board tagged unhealthy stays so after a passing boot; `farm health` (boot +
    ktest to the kernel's power-off) tags it healthy again."""
    coord.set_tags(held, {health.HEALTH_TAG: health.BAD})
    try:
        assert main(["boot", held, "--image", image]) == 0
        out = capsys.readouterr().out
        assert f"farm: {held} stays unhealthy until its health check passes" in out
        coord.sync()
        assert health.health(coord.place(held)) == health.BAD
        assert main(["health", held, "--image", image, "--timeout", "240"]) == 0
        out = capsys.readouterr().out
        assert re.search(rf"^{held}: health check passed: booted, ktest [1-9]\d* passed, 0 "
                         rf"failed, powered off \(console log .*\); health bad -> ok$", out,
                         re.MULTILINE), out
        coord.sync()
        assert health.health(coord.place(held)) == health.OK
    finally:
        coord.set_tags(held, {health.HEALTH_TAG: health.OK})  # the next tests need it
