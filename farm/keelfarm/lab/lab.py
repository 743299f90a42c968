"""The local lab: a labgrid coordinator, an exporter and N virtual boards on loopback.

Everything lives in one run directory (default ``build/lab``): pid files and logs of
the three processes, the vboards' state files, the generated exporter configuration,
the TFTP root and the coordinator's own state.  ``up`` is idempotent: a complete lab is
left alone; a lab whose boards still run gets back only what died — a coordinator
restarted on its own state (places and tags; the sweeper gives the reservations back),
an exporter, the sweeper — and booted boards, their QEMU and their holders keep going;
a lab without its boards starts again.  ``down`` stops whatever is recorded and wipes
the coordinator state so the next lab starts clean.

The exporter runs under lab/supervise.py, because labgrid's exporter exits (status
100, "start me again") when its coordinator goes away; the sweeper (lab/sweeper.py)
releases expired leases and restores reservations while no farm command runs.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from dataclasses import dataclass

from ..errors import FarmError
from ..vboard.daemon import read_state
from . import exporter as exp
from .procs import Proc

EXPORTER_NAME = "keel-lab"
READY_TIMEOUT = 20.0


@dataclass
class LabSettings:
    """``external`` means the coordinator at host:port is someone else's (the demo farm's
    coordinator container): the lab then runs only vboards and an exporter for it."""

    run_dir: str = "build/lab"
    boards: int = 2
    port: int = 20408
    host: str = "127.0.0.1"
    qemu: str | None = None
    external: bool = False
    exporter_name: str = EXPORTER_NAME
    tftp_root: str | None = None  # default <run_dir>/tftp
    first: int = 1  # number of the first board: exporters on one coordinator count on
    disk: str | None = None  # each board's NVMe drive starts as a copy of this image


    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def board_names(self) -> list[str]:
        return [f"vboard-{i}" for i in range(self.first, self.first + self.boards)]


def tool(name: str) -> str:
    """A labgrid executable from the venv we run in, else from PATH."""
    here = os.path.join(os.path.dirname(sys.executable), name)
    if os.access(here, os.X_OK):
        return here
    found = shutil.which(name)
    if not found:
        raise FarmError(f"{name} not found (is labgrid installed in this venv?)")
    return found


PORT_FREE_TIMEOUT = 10.0


def port_busy(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def wait_for(what: str, ready, timeout: float, proc: Proc | None = None) -> None:
    """Poll ``ready()`` until true; fail with the process's log tail if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if proc is not None and proc.exited() is not None:
            raise FarmError(f"lab: {proc.name} exited while waiting for {what}: "
                            f"{proc.log_tail(1) or 'no output'} (log {proc.logfile})")
        time.sleep(0.1)
    where = f" (log {proc.logfile})" if proc else ""
    raise FarmError(f"lab: timed out after {timeout:.0f} s waiting for {what}{where}")


class Lab:
    def __init__(self, settings: LabSettings):
        self.s = settings
        self.run_dir = os.path.abspath(settings.run_dir)
        self.tftp_root = os.path.abspath(settings.tftp_root or os.path.join(self.run_dir, "tftp"))
        self.vboard_dir = os.path.join(self.run_dir, "vboards")
        self.coordinator = Proc(self.run_dir, "coordinator")
        self.vboards = Proc(self.run_dir, "vboards")
        self.exporter = Proc(self.run_dir, "exporter")
        self.sweeper = Proc(self.run_dir, "sweeper")
        self.state_file = os.path.join(self.run_dir, "lab.json")

    def procs(self) -> list[Proc]:
        own = [self.vboards, self.exporter]
        return own if self.s.external else [self.coordinator, *own, self.sweeper]

    def recorded(self) -> dict | None:
        try:
            with open(self.state_file) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def is_up(self) -> bool:
        return self.recorded() is not None and all(p.alive() for p in self.procs())

    # -- up ------------------------------------------------------------------------------

    def up(self, say=print) -> dict:
        if self.is_up():
            state = self.recorded()
            say(f"lab: already up at {state['coordinator']} with {', '.join(state['boards'])}")
            return state
        if self.recorded() is not None and self.vboards.alive():
            return self._mend(say)
        if any(p.alive() for p in self.procs()):
            say("lab: found a partial lab without its boards, restarting it")
            self.down(say=lambda _msg: None)
        if self.s.external:
            from ..remote import probe

            # started alongside it (compose), the coordinator may need a moment
            wait_for(f"the coordinator at {self.s.address}",
                     lambda: probe(self.s.address, timeout=1.0), READY_TIMEOUT)
        elif port_busy(self.s.host, self.s.port):
            raise FarmError(f"lab: {self.s.address} is busy (another coordinator? "
                            f"stop it or use --port)")
        if self.s.disk and not os.path.isfile(self.s.disk):
            raise FarmError(f"lab: no disk image {self.s.disk} (make builds build/os/disk.img)")
        names = self.s.board_names()
        os.makedirs(os.path.join(self.run_dir, "coordinator"), exist_ok=True)
        os.makedirs(self.vboard_dir, exist_ok=True)
        for name in names:
            os.makedirs(os.path.join(self.tftp_root, name), exist_ok=True)
        try:
            if not self.s.external:
                self._start_coordinator()
            states = self._start_vboards(names)
            self._start_exporter(states)
            self._create_places(names)
            if not self.s.external:
                self._start_sweeper()
        except BaseException:
            self.down(say=lambda _msg: None)
            raise
        state = {"coordinator": self.s.address, "exporter": self.s.exporter_name, "boards": names,
                 "run_dir": self.run_dir, "tftp_root": self.tftp_root}
        with open(self.state_file, "w") as f:
            json.dump(state, f, indent=1)
        say(f"lab: coordinator {self.s.address}, exporter {self.s.exporter_name}, "
            f"places {', '.join(names)} (tag board=vboard)"
            + (f", each with an NVMe disk from {self.s.disk}" if self.s.disk else ""))
        if self.s.port != 20408 or self.s.host != "127.0.0.1":
            say(f"lab: export LG_COORDINATOR={self.s.address}")
        return state

    def _wait_port_free(self, say) -> None:
        """The dead coordinator's port, once it is free.  A killed process is a zombie
        (dead to `Proc.alive`) as soon as its first thread is gone, but its socket is
        closed only when the last of its threads is: give it PORT_FREE_TIMEOUT seconds,
        and say so.  Still busy then: another program has it."""
        if not port_busy(self.s.host, self.s.port):
            return
        say(f"lab: {self.s.address} still busy; waiting up to {PORT_FREE_TIMEOUT:g} s "
            "for the dead coordinator's last threads to let go of it")
        deadline = time.monotonic() + PORT_FREE_TIMEOUT
        while port_busy(self.s.host, self.s.port):
            if time.monotonic() >= deadline:
                raise FarmError(f"lab: {self.s.address} is busy (another coordinator?)")
            time.sleep(0.1)

    def _mend(self, say) -> dict:
        """Restart what died of a lab whose boards still run; leave the rest alone."""
        state = self.recorded()
        dead = [p for p in self.procs() if not p.alive()]
        say(f"lab: {', '.join(p.name for p in dead)} not running; restarting "
            f"{'it' if len(dead) == 1 else 'them'} (boards, their machines and "
            f"reservations stay)")
        if self.coordinator in dead and not self.s.external:
            self._wait_port_free(say)
            self._start_coordinator()  # on its own state: places and tags are back
        if self.exporter in dead:
            self.start_exporter_process()
        self._create_places(state["boards"])
        if self.coordinator in dead and not self.s.external:
            from .sweeper import restore_once
            restore_once(self.s.address, self.run_dir, say)
        if self.sweeper in dead and not self.s.external:
            self._start_sweeper()
        return state

    def _start_sweeper(self) -> None:
        self.sweeper.start([sys.executable, "-m", "keelfarm.cli.main", "-c", self.s.address,
                            "lab", "sweep", "--dir", self.run_dir])

    def _start_coordinator(self) -> None:
        self.coordinator.start([tool("labgrid-coordinator"), "-l", self.s.address],
                               cwd=os.path.join(self.run_dir, "coordinator"))
        wait_for(f"the coordinator on {self.s.address}",
                 lambda: port_busy(self.s.host, self.s.port), READY_TIMEOUT, self.coordinator)

    def _start_vboards(self, names: list[str]) -> list[dict]:
        cmd = [sys.executable, "-m", "keelfarm.cli.main", "vboard", *names,
               "--run-dir", self.vboard_dir, "--tftp-root", self.tftp_root,
               "--host", self.s.host]
        if self.s.qemu:
            cmd += ["--qemu", self.s.qemu]
        if self.s.disk:
            cmd += ["--nvme", os.path.abspath(self.s.disk)]
        self.vboards.start(cmd)
        wait_for("the vboards", lambda: all(read_state(self.vboard_dir, n) for n in names),
                 READY_TIMEOUT, self.vboards)
        return [read_state(self.vboard_dir, n) for n in names]

    def _start_exporter(self, states: list[dict]) -> None:
        config = os.path.join(self.run_dir, "exporter.yaml")
        with open(config, "w") as f:
            f.write(exp.exporter_config(states, self.tftp_root))
        self.start_exporter_process()

    def start_exporter_process(self) -> None:
        """Start (or restart) the exporter on the existing configuration."""
        config = os.path.join(self.run_dir, "exporter.yaml")
        self.exporter.start([sys.executable, "-m", "keelfarm.lab.supervise", "--",
                             tool("labgrid-exporter"), "-c", self.s.address,
                             "-n", self.s.exporter_name, "--hostname", self.s.host, config])

    def _create_places(self, names: list[str]) -> None:
        from ..remote import Coordinator

        coord = Coordinator.connect(self.s.address)
        try:
            def exported() -> bool:
                coord.sync()
                groups = coord.resources().get(self.s.exporter_name, {})
                return all(len(groups.get(n, {})) >= 3 for n in names)

            wait_for("the exporter's resources", exported, READY_TIMEOUT, self.exporter)
            for name in names:
                if name not in coord.places():
                    coord.add_place(name)
                    coord.add_match(name, exp.place_match(self.s.exporter_name, name))
                coord.set_tags(name, exp.place_tags("vboard"))
        finally:
            coord.close()

    # -- down ----------------------------------------------------------------------------

    def down(self, say=print) -> None:
        stopped = [p.name for p in reversed(self.procs()) if p.stop()]
        self._sweep_machines()
        shutil.rmtree(os.path.join(self.run_dir, "coordinator"), ignore_errors=True)
        for path in (self.state_file, os.path.join(self.run_dir, "leases.json")):
            if os.path.exists(path):
                os.unlink(path)
        say(f"lab: stopped {', '.join(stopped)}" if stopped else "lab: nothing running")

    def _sweep_machines(self) -> None:
        """Machines die with their vboard daemon; remove any state a killed daemon left."""
        if not os.path.isdir(self.vboard_dir):
            return
        for entry in os.listdir(self.vboard_dir):
            if entry.endswith((".json", ".uart")):
                os.unlink(os.path.join(self.vboard_dir, entry))

    def restart_exporter(self, say=print) -> None:
        """Stop and start the exporter alone (its places and reservations stay)."""
        if not self.is_up():
            raise FarmError("lab: not up")
        self.exporter.stop()
        self.start_exporter_process()
        say("lab: exporter restarted")

    def serve(self, say=print, stop=None) -> int:
        """`up`, then stay in the foreground until SIGTERM/SIGINT (or ``stop`` is set) or
        one of our processes dies; then `down`.  Returns 0, or 1 if a process died."""
        import signal
        import threading

        stop = stop or threading.Event()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        self.up(say=say)
        status = 0
        try:
            while not stop.wait(1.0):
                dead = [p.name for p in self.procs() if not p.alive()]
                if dead:
                    say(f"lab: {', '.join(dead)} died; stopping")
                    status = 1
                    break
        finally:
            self.down(say=say)
        return status
