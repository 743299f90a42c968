"""The local lab: pid files, the exporter configuration, and a real up/down on loopback
with a stand-in emulator (no QEMU)."""

import os
import socket
import subprocess
import sys

import pytest
import yaml

from keelfarm.errors import FarmError
from keelfarm.lab import exporter as exp
from keelfarm.lab.lab import Lab, LabSettings, port_busy
from keelfarm.lab.procs import Proc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_proc_start_stop_and_stale_pidfile(tmp_path):
    p = Proc(str(tmp_path), "sleeper")
    pid = p.start([sys.executable, "-c", "import time; time.sleep(60)"])
    assert p.pid() == pid and p.alive()
    assert p.stop() is True
    assert not p.alive()
    assert not os.path.exists(p.pidfile)
    assert p.stop() is False  # idempotent


def test_a_reused_pid_is_never_signalled(tmp_path):
    p = Proc(str(tmp_path), "ghost")
    # our own pid, but with a start time that is not ours: a recycled pid
    with open(p.pidfile, "w") as f:
        f.write(f"{os.getpid()} 1\n")
    assert p.pid() is None
    assert p.stop() is False  # and we are still alive to assert it


def test_proc_stop_escalates_to_sigkill(tmp_path):
    p = Proc(str(tmp_path), "stubborn")
    p.start([sys.executable, "-c",
             "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
             "time.sleep(60)"])
    assert p.stop(timeout=0.3) is True
    assert not p.alive()


def test_exporter_config_exports_power_serial_and_tftp(tmp_path):
    state = {"name": "vboard-1", "pdu": "http://127.0.0.1:5000/relay/{index}/{value}",
             "serial": "/dev/pts/7"}
    cfg = yaml.safe_load(exp.exporter_config([state], str(tmp_path)))
    group = cfg["vboard-1"]
    assert group["NetworkPowerPort"] == {"model": "simplerest", "host": state["pdu"],
                                         "index": 0}
    assert group["RawSerialPort"] == {"port": "/dev/pts/7", "speed": 115200}
    assert group["TFTPProvider"] == {"internal": f"{tmp_path}/vboard-1/",
                                     "external": "vboard-1/"}
    assert exp.place_match("lab", "vboard-1") == "lab/vboard-1/*"
    assert exp.place_tags("vboard") == {"board": "vboard", "health": "ok"}


def test_a_dead_coordinators_port_is_waited_for_then_a_clear_error(tmp_path, monkeypatch):
    """Restarting a dead coordinator waits (and says so) while its port is still held;
    a port that stays held is the same clear error as at `farm lab up`."""
    import keelfarm.lab.lab as labmod
    monkeypatch.setattr(labmod, "PORT_FREE_TIMEOUT", 0.3)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        lab = Lab(LabSettings(run_dir=str(tmp_path), port=port))
        said = []
        with pytest.raises(FarmError, match=f"127.0.0.1:{port} is busy"):
            lab._wait_port_free(said.append)
        assert said == [f"lab: 127.0.0.1:{port} still busy; waiting up to 0.3 s for the dead "
                        "coordinator's last threads to let go of it"]
    said.clear()
    lab._wait_port_free(said.append)  # closed now: no wait, nothing said
    assert said == []


def test_busy_port_is_a_clear_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        assert port_busy("127.0.0.1", port)
        lab = Lab(LabSettings(run_dir=str(tmp_path), port=port))
        with pytest.raises(FarmError, match=f"127.0.0.1:{port} is busy"):
            lab.up(say=lambda _m: None)


def test_lab_up_is_idempotent_and_down_leaves_nothing(tmp_path):
    settings = LabSettings(run_dir=str(tmp_path / "lab"), boards=2, port=free_port(),
                           qemu=str(tmp_path / "no-qemu"))
    lab = Lab(settings)
    said = []
    try:
        state = lab.up(say=said.append)
        assert state["boards"] == ["vboard-1", "vboard-2"]
        assert lab.is_up()
        from keelfarm.remote import Coordinator

        coord = Coordinator.connect(settings.address)
        try:
            places = coord.places()
            assert sorted(places) == ["vboard-1", "vboard-2"]
            assert places["vboard-1"].tags == {"board": "vboard", "health": "ok"}
            groups = coord.resources()["keel-lab"]
            assert sorted(groups["vboard-2"]) == ["NetworkPowerPort", "RawSerialPort",
                                                  "TFTPProvider"]
        finally:
            coord.close()
        pids = [p.pid() for p in lab.procs()]
        lab.up(say=said.append)
        assert [p.pid() for p in lab.procs()] == pids
        assert any("already up" in s for s in said)
    finally:
        lab.down(say=said.append)
    assert not lab.is_up()
    assert all(not p.alive() for p in lab.procs())
    assert not port_busy("127.0.0.1", settings.port)
    lab.down(say=said.append)
    assert said[-1] == "lab: nothing running"
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftover.stdout == ""


def test_restart_exporter_needs_a_lab(tmp_path):
    with pytest.raises(FarmError, match="not up"):
        Lab(LabSettings(run_dir=str(tmp_path))).restart_exporter()



def test_serve_for_an_external_coordinator(tmp_path):
    """The demo farm's exporter container: vboards and an exporter for a coordinator
    that runs elsewhere, in the foreground until told to stop; the coordinator stays."""
    import threading
    import time

    from keelfarm.lab.lab import tool
    from keelfarm.remote import Coordinator

    port = free_port()
    coordinator = Proc(str(tmp_path), "coordinator")
    coordinator.start([tool("labgrid-coordinator"), "-l", f"127.0.0.1:{port}"],
                      cwd=str(tmp_path))
    settings = LabSettings(run_dir=str(tmp_path / "exp"), boards=1, port=port,
                           qemu=str(tmp_path / "no-qemu"), external=True,
                           exporter_name="demo", tftp_root=str(tmp_path / "tftp"))
    lab = Lab(settings)
    stop = threading.Event()
    result = []
    try:
        deadline = time.monotonic() + 10
        while not port_busy("127.0.0.1", port) and time.monotonic() < deadline:
            time.sleep(0.05)
        server = threading.Thread(target=lambda: result.append(
            lab.serve(say=lambda _m: None, stop=stop)))
        server.start()
        deadline = time.monotonic() + 20
        while not lab.is_up() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert lab.is_up()
        assert [p.name for p in lab.procs()] == ["vboards", "exporter"]
        coord = Coordinator.connect(settings.address)
        try:
            assert "vboard-1" in coord.places()
            assert "vboard-1" in coord.resources()["demo"]
        finally:
            coord.close()
        assert (tmp_path / "tftp" / "vboard-1").is_dir()
        stop.set()
        server.join(timeout=20)
        assert result == [0]
        assert not any(p.alive() for p in lab.procs())
        assert coordinator.alive()
    finally:
        stop.set()
        lab.down(say=lambda _m: None)
        coordinator.stop()


def test_serve_stops_when_a_process_dies(tmp_path):
    import threading
    import time

    settings = LabSettings(run_dir=str(tmp_path / "lab"), boards=1, port=free_port(),
                           qemu=str(tmp_path / "no-qemu"))
    lab = Lab(settings)
    result = []
    server = threading.Thread(target=lambda: result.append(lab.serve(say=lambda _m: None)))
    server.start()
    deadline = time.monotonic() + 20
    while not lab.is_up() and time.monotonic() < deadline:
        time.sleep(0.1)
    lab.vboards.stop()  # the vboard daemon dies
    server.join(timeout=20)
    assert result == [1]
    assert not any(p.alive() for p in lab.procs())


def test_supervise_starts_the_command_again_when_it_asks(tmp_path):
    counter = tmp_path / "n"
    script = (f"import pathlib, sys; p = pathlib.Path({str(counter)!r}); "
              "n = int(p.read_text()) if p.exists() else 0; p.write_text(str(n + 1)); "
              "sys.exit(100 if n < 2 else 7)")
    proc = subprocess.run([sys.executable, "-m", "keelfarm.lab.supervise", "--",
                           sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 7
    assert counter.read_text() == "3"
    assert proc.stderr.count("asked to be started again (status 100)") == 2


def test_a_coordinator_killed_and_restarted_leaves_boards_exporter_and_reservations(
        tmp_path, monkeypatch, capsys):
    """kill -9 of the coordinator while vboard-1 is reserved: `farm lab up` restarts the
    coordinator alone on its state, the exporter reconnects by itself, and the
    reservation is back for its holder."""
    import signal
    import time

    from keelfarm.cli.main import main
    from keelfarm.remote import Coordinator

    settings = LabSettings(run_dir=str(tmp_path / "lab"), boards=2, port=free_port(),
                           qemu=str(tmp_path / "no-qemu"))
    lab = Lab(settings)
    address = settings.address
    monkeypatch.setenv("LG_COORDINATOR", address)
    try:
        lab.up(say=lambda _m: None)
        assert main(["reserve", "--place", "vboard-1"]) == 0
        capsys.readouterr()
        record = tmp_path / "lab" / "leases.json"  # the sweeper has seen the lease
        deadline = time.monotonic() + 10
        while "vboard-1" not in record.read_text() if record.exists() else True:
            assert time.monotonic() < deadline, "the sweeper never recorded the lease"
            time.sleep(0.1)
        keep = {p.name: p.pid() for p in (lab.vboards, lab.exporter, lab.sweeper)}
        os.kill(lab.coordinator.pid(), signal.SIGKILL)
        deadline = time.monotonic() + 10
        while lab.coordinator.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        said = []
        lab.up(say=said.append)
        assert said[0] == ("lab: coordinator not running; restarting it (boards, their "
                           "machines and reservations stay)"), said
        assert {p.name: p.pid() for p in (lab.vboards, lab.exporter, lab.sweeper)} == keep
        assert lab.is_up()
        coord = Coordinator.connect(address)
        try:
            assert coord.place("vboard-1").acquired == coord.identity
            assert coord.place("vboard-2").acquired is None
        finally:
            coord.close()
        assert main(["power", "vboard-1", "status"]) == 0, capsys.readouterr()
        assert main(["release", "vboard-1"]) == 0
    finally:
        lab.down(say=lambda _m: None)


def start_coordinator(tmp_path, port: int) -> Proc:
    """A bare labgrid coordinator on `port` keeping its state in tmp_path/coordinator."""
    import time

    from keelfarm.lab.lab import tool
    state = tmp_path / "coordinator"
    state.mkdir(exist_ok=True)
    coordinator = Proc(str(tmp_path), "coordinator")
    coordinator.start([tool("labgrid-coordinator"), "-l", f"127.0.0.1:{port}"],
                      cwd=str(state))
    deadline = time.monotonic() + 10
    while not port_busy("127.0.0.1", port):
        assert time.monotonic() < deadline, coordinator.log_tail(5)
        time.sleep(0.05)
    return coordinator


def external_lab(tmp_path, port: int, name: str, first: int) -> Lab:
    return Lab(LabSettings(run_dir=str(tmp_path / name), boards=1, port=port, first=first,
                           qemu=str(tmp_path / "no-qemu"), external=True, exporter_name=name,
                           tftp_root=str(tmp_path / "tftp")))


def test_two_exporters_on_one_coordinator_serve_their_own_boards(tmp_path):
    """The demo farm's two exporter containers: boards counted on from --first, so the
    places do not collide; one exporter going away leaves the other's board served."""
    from keelfarm.remote import Coordinator, exported

    port = free_port()
    coordinator = start_coordinator(tmp_path, port)
    a, b = (external_lab(tmp_path, port, "exp-a", 1), external_lab(tmp_path, port, "exp-b", 2))
    try:
        assert a.up(say=lambda _m: None)["boards"] == ["vboard-1"]
        assert b.up(say=lambda _m: None)["boards"] == ["vboard-2"]
        coord = Coordinator.connect(f"127.0.0.1:{port}")
        try:
            resources = coord.resources()
            assert sorted(resources["exp-a"]) == ["vboard-1"]
            assert sorted(resources["exp-b"]) == ["vboard-2"]
            assert sorted(coord.places()) == ["vboard-1", "vboard-2"]
            places = coord.places()
            assert all(exported(places[n], resources) for n in ("vboard-1", "vboard-2"))
            b.down(say=lambda _m: None)
            import time
            deadline = time.monotonic() + 20
            while exported(places["vboard-2"], coord.resources()):
                assert time.monotonic() < deadline, "the gone exporter's board stayed"
                time.sleep(0.2)
                coord.sync()
            assert exported(places["vboard-1"], coord.resources())
        finally:
            coord.close()
    finally:
        a.down(say=lambda _m: None)
        b.down(say=lambda _m: None)
        coordinator.stop()


@pytest.mark.parametrize("argv, message", [
    (["lab", "up", "--first", "0"], "farm: lab: --first must be 1 or more, not 0\n"),
    (["lab", "up", "--boards", "-1"], "farm: lab: --boards must be 1 or more, not -1\n"),
])
def test_a_lab_without_boards_is_a_one_line_error(argv, message, capsys):
    from keelfarm.cli.main import main
    assert main(argv) == 1
    assert capsys.readouterr().err == message


def test_a_coordinator_container_killed_whole_gets_its_reservations_back(tmp_path):
    """The demo farm's coordinator container (`farm lab coordinator`: coordinator,
    sweeper) killed with everything in it and started again on its state volume: the
    reservation is back for its holder.  Every farm command is a process of its own,
    as a user's are (a session would outlive the coordinator it talked to)."""
    import signal
    import time

    port = free_port()
    address = f"127.0.0.1:{port}"
    state = tmp_path / "state"

    def farm(*argv):
        proc = subprocess.run([sys.executable, "-m", "keelfarm.cli.main", "-c", address,
                               *argv], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"farm {' '.join(argv)}: {proc.stderr}"
        return proc.stdout

    def container(log):
        proc = subprocess.Popen([sys.executable, "-m", "keelfarm.cli.main", "-c", address,
                                 "lab", "coordinator", "--dir", str(state)],
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while "given back" not in (tmp_path / log.name).read_text():
            assert proc.poll() is None and time.monotonic() < deadline, \
                (tmp_path / log.name).read_text()
            time.sleep(0.1)
        return proc

    def row(name):
        return next(line.split() for line in farm("boards").splitlines()
                    if line.startswith(name))

    exporter = external_lab(tmp_path, port, "exp-a", 1)
    station = None
    try:
        with open(tmp_path / "first.log", "w") as log:
            station = container(log)
        exporter.up(say=lambda _m: None)
        farm("reserve", "--place", "vboard-1")
        holder = row("vboard-1")[3]
        record = state / "sweeper" / "leases.json"
        # the sweeper's record, and labgrid's own places file (written every 15 s; a
        # farm's places are older than that)
        places = state / "coordinator" / "places.yaml"
        deadline = time.monotonic() + 30
        while not all("vboard-1" in (f.read_text() if f.exists() else "")
                      for f in (record, places)):
            assert time.monotonic() < deadline, "the lease or the place never got to disk"
            time.sleep(0.2)
        os.killpg(station.pid, signal.SIGKILL)  # the container dies with all it runs
        station.wait(timeout=10)
        deadline = time.monotonic() + 10
        while port_busy("127.0.0.1", port):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        with open(tmp_path / "second.log", "w") as log:
            station = container(log)
        said = (tmp_path / "second.log").read_text()
        assert f"sweeper: vboard-1 is reserved again for {holder}" in said
        assert "1 reservation given back" in said
        assert row("vboard-1")[2:4] == ["held", holder]
        assert farm("release", "vboard-1").startswith("released vboard-1")
        station.terminate()
        assert station.wait(timeout=30) == 0
    finally:
        exporter.down(say=lambda _m: None)
        if station is not None and station.poll() is None:
            os.killpg(station.pid, signal.SIGKILL)
            station.wait(timeout=10)


def test_the_sweeper_releases_an_expired_lease_while_no_farm_command_runs(tmp_path):
    """Nobody runs a farm command after a lease ends: the sweeper (`farm lab sweep`,
    as the lab and the coordinator container run it) releases the place by itself,
    says so, and leaves a place whose lease still runs alone."""
    import time

    from keelfarm import lease
    from keelfarm.remote import Coordinator

    port = free_port()
    address = f"127.0.0.1:{port}"
    coordinator = start_coordinator(tmp_path, port)
    sweeper = Proc(str(tmp_path), "sweeper")
    coord = Coordinator.connect(address)
    try:
        for name, until in (("vboard-1", time.time() + 2), ("vboard-2", time.time() + 3600)):
            coord.add_place(name)
            coord.acquire(name)
            coord.set_tags(name, {lease.LEASE_TAG: str(int(until))})
        sweeper.start([sys.executable, "-m", "keelfarm.cli.main", "-c", address, "lab",
                       "sweep", "--dir", str(tmp_path / "sweep")])
        deadline = time.monotonic() + 20
        while True:  # released, then tagged with whose lease ran out
            coord.sync()
            gone = coord.place("vboard-1")
            if gone.acquired is None and lease.EXPIRED_TAG in gone.tags:
                break
            assert time.monotonic() < deadline, sweeper.log_tail(5)
            time.sleep(0.2)
        assert gone.tags[lease.EXPIRED_TAG].endswith(f":{coord.identity}")
        assert coord.place("vboard-2").acquired == coord.identity
        deadline = time.monotonic() + 5
        while "sweeper: lease of vboard-1 held by" not in sweeper.log_tail(20):
            assert time.monotonic() < deadline, sweeper.log_tail(5)
            time.sleep(0.1)
        record = tmp_path / "sweep" / "leases.json"
        assert sorted(yaml.safe_load(record.read_text())) == ["vboard-2"]
    finally:
        sweeper.stop()
        coord.close()
        coordinator.stop()


@pytest.mark.parametrize("restored_by_lab_up", [True, False])
def test_a_sweeper_back_from_a_dead_coordinator_gives_reservations_back_once(
        tmp_path, monkeypatch, restored_by_lab_up):
    """The coordinator dies with vboard-1 reserved and comes back without its locks.
    If `farm lab up` gave the reservations back and the holder has released the place
    since, the sweeper (which was stuck on the dead coordinator and never saw the
    release) must not give it back again; if nobody gave them back, it does."""
    import time

    from farmfakes import ME, FakeCoordinator

    from keelfarm import lease, remote
    from keelfarm.errors import FarmError
    from keelfarm.lab import sweeper as sw

    until = str(int(time.time()) + 3600)
    old = FakeCoordinator()
    old.add("vboard-1", acquired=ME, lease_until=until)
    now = {"coord": old}

    def connect(_address=None):
        if now["coord"] is None:
            raise FarmError("no coordinator")
        return now["coord"]
    monkeypatch.setattr(remote.Coordinator, "connect", staticmethod(connect))
    said = []
    sweeper = sw.Sweeper("127.0.0.1:1", tmp_path, say=said.append)

    def acquire_as(holder, place):
        assert holder == ME
        now["coord"].acquire(place)
    sweeper.acquire_as = acquire_as
    sweeper.tick()
    assert sorted(sw.read_record(tmp_path / sw.RECORD)) == ["vboard-1"]

    def dead_sync():
        raise FarmError("the coordinator at 127.0.0.1:1 did not answer")
    monkeypatch.setattr(old, "sync", dead_sync)
    now["coord"] = None
    sweeper.tick()  # it finds the coordinator gone
    assert sweeper.lost
    new = FakeCoordinator()
    new.add("vboard-1", lease_until=until)  # places and tags came back, locks did not
    now["coord"] = new
    if restored_by_lab_up:
        sw.restore_from(new, tmp_path / sw.RECORD, acquire_as, said.append)
        assert new.place("vboard-1").acquired == ME
        new.release("vboard-1")  # the holder is done with it
        new.set_tags("vboard-1", {lease.LEASE_TAG: ""})
    sweeper.tick()
    if restored_by_lab_up:
        assert new.place("vboard-1").acquired is None
        assert "sweeper: the reservations were given back while I was away; not again" \
            in said
        assert sw.read_record(tmp_path / sw.RECORD) == {}
    else:
        assert new.place("vboard-1").acquired == ME
        assert f"sweeper: vboard-1 is reserved again for {ME}" in said
