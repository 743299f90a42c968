"""The `farm` command's subcommands and their one-line errors, against a fake
coordinator and fake targets."""

import time

import pytest
from farmfakes import ME, OTHER, FakeCoordinator

from keelfarm import lease
from keelfarm.cli import boot as boot_cmd
from keelfarm.cli import common
from keelfarm.cli import power as power_cmd
from keelfarm.cli import release as release_cmd
from keelfarm.cli.main import main
from keelfarm.console import ConsoleRecorder
from keelfarm.errors import BootError


@pytest.fixture
def coord(monkeypatch):
    c = FakeCoordinator()
    c.add("vboard-1", board="vboard", health="ok")
    c.add("vboard-2", board="vboard", health="ok")
    monkeypatch.setattr(common.Coordinator, "connect", staticmethod(lambda _addr=None: c))
    return c


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


class FakeStrategy:
    def __init__(self, error=None):
        self.error = error
        self.image = None
        self.append = None
        self.recorder = None

    def configure(self, append=None, log_path=None):
        self.append = append

    def transition(self, status):
        t = iter([0.0, 0.5, 1.0, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0])
        self.recorder = ConsoleRecorder(clock=lambda: next(t))
        self.recorder.feed(b"OpenSBI v1.1\r\n")
        if self.error:
            raise self.error
        self.recorder.feed(b"Bytes transferred = 5 (5 hex)\r\n")
        self.recorder.feed(b"Keel 0.1.0 (g1) on riscv-virtio: 4 harts [0,1,2,3], 512 MiB, "
                           b"timebase 10000000 Hz\r\n")
        self.recorder.feed(b"keel: all harts online\r\n")

    @property
    def stages(self):
        return dict(self.recorder.boot.stages) if self.recorder else {}

    @property
    def banner(self):
        return self.recorder.boot.banner if self.recorder else None


class FakeTarget:
    def __init__(self, strategy=None):
        self.strategy = strategy
        self.power_calls = []
        self.deactivated = False

    def get_driver(self, name):
        if name == "UnmatchedStrategy":
            return self.strategy
        assert name == "PowerProtocol"
        target = self

        class Power:
            def on(self):
                target.power_calls.append("on")

            def off(self):
                target.power_calls.append("off")

            def cycle(self):
                target.power_calls.append("cycle")

            def get(self):
                return True

        return Power()

    def deactivate_all_drivers(self):
        self.deactivated = True


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "Image"
    path.write_bytes(b"kernel")
    return str(path)


def reserve(capsys, *argv) -> str:
    """Reserve and return the place's name (the scheduler picks any matching place)."""
    rc, out, _ = run(capsys, "reserve", *argv)
    assert rc == 0, out
    return out.split()[1]


def use_target(monkeypatch, target):
    for module in (boot_cmd, power_cmd, release_cmd):
        monkeypatch.setattr(module, "place_target", lambda c, name, env=None: target)


@pytest.fixture(autouse=True)
def any_target(monkeypatch):
    """Every test gets a fake target unless it installs its own."""
    use_target(monkeypatch, FakeTarget())


# -- errors ------------------------------------------------------------------------------

def test_no_coordinator(capsys, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc, out, err = run(capsys, "-c", f"127.0.0.1:{port}", "boards")
    assert rc == 1
    assert err.startswith(f"farm: no coordinator at 127.0.0.1:{port}")
    assert err.count("\n") == 1


def test_unknown_tag(capsys, coord):
    rc, _, err = run(capsys, "reserve", "--board", "unmatched")
    assert rc == 1
    assert err == "farm: unknown board tag 'unmatched' (tags in use: vboard)\n"


def test_place_held_by_someone_else(capsys, coord, image):
    coord.place("vboard-1").acquired = OTHER
    rc, _, err = run(capsys, "boot", "vboard-1", "--image", image)
    assert rc == 1
    assert err == f"farm: vboard-1 is held by {OTHER}\n"


def test_lease_expired(capsys, coord, image):
    coord.place("vboard-1").acquired = ME
    coord.set_tags("vboard-1", {lease.LEASE_TAG: str(int(time.time()) - 60)})
    rc, _, err = run(capsys, "boot", "vboard-1", "--image", image)
    assert rc == 1
    lines = err.splitlines()
    assert lines[0].startswith(f"farm: lease of vboard-1 held by {ME} expired at ")
    assert lines[0].endswith("; released it")
    assert lines[1].startswith("farm: your lease on vboard-1 expired at ")
    assert coord.place("vboard-1").acquired is None


def test_release_with_nothing_held(capsys, coord):
    rc, _, err = run(capsys, "release")
    assert rc == 1
    assert err == "farm: you hold no place\n"


def test_missing_image(capsys, coord, tmp_path):
    rc, _, err = run(capsys, "boot", "vboard-1", "--image", str(tmp_path / "none"))
    assert rc == 1 and "not found" in err


# -- boot and health ---------------------------------------------------------------------

def test_board_not_reaching_uboot_twice_makes_it_unhealthy(capsys, coord, image, monkeypatch):
    name = reserve(capsys, "--board", "vboard")
    held = coord.place(name)
    assert held.acquired == ME
    error = BootError("uboot", "board did not reach the U-Boot prompt within 90 s of "
                               "power-on")
    use_target(monkeypatch, FakeTarget(FakeStrategy(error)))
    rc, out, err = run(capsys, "boot", name, "--image", image)
    assert rc == 1
    assert err == (f"farm: {name}: board did not reach the U-Boot prompt within 90 s of "
                   "power-on\n")
    assert "OpenSBI banner" in out and "failure 1 of 2" in out
    rc, out, err = run(capsys, "boot", name, "--image", image)
    assert "now tagged unhealthy" in out
    assert held.tags["health"] == "bad"
    run(capsys, "release", name)
    for _ in range(3):  # the unhealthy board is never handed out
        other = reserve(capsys, "--board", "vboard")
        assert other != name
        run(capsys, "release", other)


def test_a_passing_boot_prints_timings_and_ends_the_run_of_failures(capsys, coord, image,
                                                                     monkeypatch):
    coord.set_tags("vboard-1", {"health_failures": "1"})
    rc, out, _ = run(capsys, "reserve", "--place", "vboard-1")
    assert rc == 0
    target = FakeTarget(FakeStrategy())
    use_target(monkeypatch, target)
    rc, out, err = run(capsys, "boot", "vboard-1", "--image", image, "--append", "ktest")
    assert (rc, err) == (0, "")
    assert "Keel 0.1.0 (g1) on riscv-virtio, 4 harts, 512 MiB" in out
    assert "all harts online     2.60 s" in out
    assert target.strategy.append == "ktest"
    assert target.deactivated
    assert coord.place("vboard-1").tags["health"] == "ok"
    assert "health_failures" not in coord.place("vboard-1").tags


def test_a_passing_boot_does_not_make_an_unhealthy_board_healthy(capsys, coord, image,
                                                                  monkeypatch):
    coord.set_tags("vboard-1", {"health": "bad", "health_failures": "2"})
    run(capsys, "reserve", "--place", "vboard-1")
    use_target(monkeypatch, FakeTarget(FakeStrategy()))
    rc, out, err = run(capsys, "boot", "vboard-1", "--image", image)
    assert (rc, err) == (0, "")
    assert out.splitlines()[-1] == ("farm: vboard-1 stays unhealthy until its health check "
                                    "passes (farm health vboard-1: boot + ktest)")
    assert coord.place("vboard-1").tags["health"] == "bad"


# -- farm health: boot + ktest on the simulated board ------------------------------------

# labgrid's console step logger warns when the fake board was written to before it is
# read (as in test_strategy.py); not ours to fix
on_the_fake_board = pytest.mark.filterwarnings(
    "ignore:unhandled exception during event notification")


def health_board(monkeypatch, tmp_path, **board_kw):
    """The simulated Unmatched (real UBootDriver and strategy) as the place's target."""
    from fakeboard import make_target
    from farmfakes import FakeClock

    strategy, board, _ = make_target(tmp_path, FakeClock(now=100.0), **board_kw)
    monkeypatch.setattr(boot_cmd, "place_target", lambda c, name, env=None: strategy.target)
    return strategy, board


@on_the_fake_board
def test_the_health_check_boots_ktest_and_makes_the_board_healthy(capsys, coord, tmp_path,
                                                                   monkeypatch):
    coord.set_tags("vboard-1", {"health": "bad"})
    run(capsys, "reserve", "--place", "vboard-1")
    strategy, board = health_board(monkeypatch, tmp_path, kernel="poweroff")
    rc, out, err = run(capsys, "health", "vboard-1", "--image", str(tmp_path / "Image"),
                       "--log-dir", str(tmp_path / "logs"))
    assert (rc, err) == (0, "")
    assert out.startswith("vboard-1: health check passed: booted, ktest 3 passed, 0 failed, "
                          "powered off (console log ")
    assert out.rstrip().endswith("health bad -> ok")
    assert board.env["bootargs"] == "ktest"
    assert coord.place("vboard-1").tags["health"] == "ok"
    assert reserve(capsys, "--board", "vboard") in ("vboard-1", "vboard-2")


@on_the_fake_board
@pytest.mark.parametrize("kernel, reaches_uboot, why, failures", [
    ("ktest-fail", True, "ktest: 2 passed, 1 failed", None),
    ("ok", True, "no 'keel: ktest done' line within 5 s", None),  # never ends its tests
    ("bad-magic", True, "U-Boot refused the image: Bad Linux RISCV Image magic!", None),
    ("ok", False, "board did not reach the U-Boot prompt", "1"),  # the board's own fault
])
def test_a_failed_health_check_leaves_the_board_unhealthy(capsys, coord, tmp_path,
                                                          monkeypatch, kernel, reaches_uboot,
                                                          why, failures):
    coord.set_tags("vboard-1", {"health": "bad"})
    run(capsys, "reserve", "--place", "vboard-1")
    health_board(monkeypatch, tmp_path, kernel=kernel, reaches_uboot=reaches_uboot,
                 login_timeout=1)
    rc, _, err = run(capsys, "health", "vboard-1", "--image", str(tmp_path / "Image"),
                     "--timeout", "5", "--log-dir", str(tmp_path / "logs"))
    assert rc == 1
    assert err.startswith(f"farm: vboard-1: health check failed: {why}")
    assert err.endswith("(health stays bad)\n") and err.count("\n") == 1
    assert coord.place("vboard-1").tags["health"] == "bad"
    assert coord.place("vboard-1").tags.get("health_failures") == failures


def test_the_health_check_needs_the_place_and_an_image(capsys, coord, tmp_path):
    rc, _, err = run(capsys, "health", "vboard-1", "--image", str(tmp_path / "none"))
    assert rc == 1 and err == f"farm: image {tmp_path / 'none'} not found\n"
    (tmp_path / "Image").write_bytes(b"k")
    rc, _, err = run(capsys, "health", "vboard-1", "--image", str(tmp_path / "Image"))
    assert rc == 1 and "vboard-1" in err and err.count("\n") == 1


def test_boot_json(capsys, coord, image, monkeypatch):
    import json

    name = reserve(capsys, "--board", "vboard")
    use_target(monkeypatch, FakeTarget(FakeStrategy()))
    rc, out, _ = run(capsys, "boot", name, "--image", image, "--json")
    result = json.loads(out)
    assert result["ok"] and result["stages"]["harts_online"] == 2.6
    assert result["banner"]["nharts"] == 4


def test_an_image_panic_does_not_count_against_the_board(capsys, coord, image, monkeypatch):
    name = reserve(capsys, "--board", "vboard")
    use_target(monkeypatch, FakeTarget(FakeStrategy(BootError("panic", "KEEL PANIC: x at "
                                                                       "0x1"))))
    rc, out, err = run(capsys, "boot", name, "--image", image)
    assert rc == 1 and err == f"farm: {name}: KEEL PANIC: x at 0x1\n"
    assert "health_failures" not in coord.place(name).tags


# -- the rest ----------------------------------------------------------------------------

def test_reserve_boards_release(capsys, coord, monkeypatch):
    coord.place("vboard-2").acquired = OTHER
    rc, out, _ = run(capsys, "reserve", "--board", "vboard", "--lease", "30m")
    assert rc == 0
    assert out.splitlines()[0].startswith("reserved vboard-1 until ")
    assert "(lease 29m" in out or "(lease 30m" in out
    assert "export LG_PLACE=vboard-1" in out
    rc, out, _ = run(capsys, "boards")
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert f"held   {ME}" in rows["vboard-1"] and "ok" in rows["vboard-1"]
    assert OTHER in rows["vboard-2"]
    target = FakeTarget()
    use_target(monkeypatch, target)
    rc, out, _ = run(capsys, "release")
    assert out == "released vboard-1\n"
    assert target.power_calls == ["off"]  # a released board is switched off
    assert coord.place("vboard-1").acquired is None
    assert coord.closed


def test_release_keeps_power_on_request_and_survives_a_dead_pdu(capsys, coord, monkeypatch):
    name = reserve(capsys, "--board", "vboard")
    target = FakeTarget()
    use_target(monkeypatch, target)
    rc, _, _ = run(capsys, "release", "--keep-power")
    assert rc == 0 and target.power_calls == []
    name = reserve(capsys, "--board", "vboard")

    def no_target(c, n, env=None):
        raise RuntimeError("PDU unreachable")
    monkeypatch.setattr(release_cmd, "place_target", no_target)
    rc, out, err = run(capsys, "release", name)
    assert rc == 0 and out == f"released {name}\n"
    assert "could not switch it off (PDU unreachable); releasing anyway" in err


def test_power(capsys, coord, monkeypatch):
    name = reserve(capsys, "--board", "vboard")
    target = FakeTarget()
    use_target(monkeypatch, target)
    for action in ("on", "off", "cycle"):
        rc, out, _ = run(capsys, "power", name, action)
        assert rc == 0 and out == f"{name}: power {action}\n"
    rc, out, _ = run(capsys, "power", name, "status")
    assert out == f"{name}: on\n"
    assert target.power_calls == ["on", "off", "cycle"]


def test_power_on_someone_elses_place(capsys, coord):
    coord.place("vboard-2").acquired = OTHER
    rc, _, err = run(capsys, "power", "vboard-2", "cycle")
    assert rc == 1 and err == f"farm: vboard-2 is held by {OTHER}\n"


def test_every_subcommand_is_registered():
    from keelfarm.cli.main import SUBCOMMANDS, build_parser

    parser = build_parser()
    choices = parser._subparsers._group_actions[0].choices
    assert sorted(choices) == sorted(SUBCOMMANDS)


def test_boards_shows_a_place_whose_exporter_is_gone(capsys, coord):
    entry = coord.resources()["lab"]["vboard-2"]["NetworkPowerPort"]
    entry.data["avail"] = False
    coord.resources()["lab"]["vboard-1"]["NetworkPowerPort"].data = {}  # deleted
    rc, out, _ = run(capsys, "boards")
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert rows["vboard-2"][2] == "free,offline"
    assert rows["vboard-1"][2] == "free,offline"
    coord.add("vboard-3", board="vboard")
    rc, out, _ = run(capsys, "boards")
    assert "vboard-3  vboard  free " in out


@pytest.mark.parametrize("ending", [RuntimeError("crash"), KeyboardInterrupt(), None])
def test_campaign_on_board_places_reserves_renews_and_always_releases(coord, capsys,
                                                                        monkeypatch, tmp_path,
                                                                        ending):
    from keelfarm.results import campaign as camp
    seen = {}

    def fake_run_campaign(db, campaign_id, config, say, keepalive, keepalive_every):
        seen["places"] = [s.place for s in config.specs]
        seen["held"] = sorted(p.name for p in coord.places().values() if p.acquired == ME)
        before = lease.lease_until(coord.place("vboard-1"))
        time.sleep(1.1)
        keepalive()
        seen["renewed"] = lease.lease_until(coord.place("vboard-1")) > before
        if ending is not None:
            raise ending
        return camp.DONE

    monkeypatch.setattr(camp, "run_campaign", fake_run_campaign)
    monkeypatch.setattr(camp, "resolve_place", lambda name, env, coordinator=None:
                        camp.PlaceSpec(name, "vboard", "vboard.yaml", {"LG_PLACE": name}))
    argv = ["campaign", "run", "--suite", "boot", "--board", "vboard", "--places", "2",
            "--runs", "3", "--db", str(tmp_path / "r.db")]
    if isinstance(ending, RuntimeError):  # a crash of the farm itself: a traceback
        with pytest.raises(RuntimeError):
            main(argv)
        out = capsys.readouterr().out
    else:
        rc, out, _ = run(capsys, *argv)
        assert rc == (130 if ending else 0)
    assert sorted(seen["places"]) == seen["held"] == ["vboard-1", "vboard-2"]
    assert seen["renewed"]
    assert all(p.acquired is None for p in coord.places().values())
    assert "farm: released vboard-" in out
