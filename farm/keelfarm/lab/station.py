"""The demo farm's coordinator container as one foreground process (`farm lab
coordinator`): labgrid's coordinator and what the farm runs beside a coordinator.

1. the coordinator, keeping its places and tags in ``<state>/coordinator``;
2. the reservations of the sweeper's record given back (labgrid's coordinator forgets
   its locks when it restarts; the record is on the same state volume);
3. the lease sweeper (``<state>/sweeper``) and, with a schedule file, the nightly
   campaign scheduler.

It lives as long as all of them: when one ends the others are stopped and it exits 1,
so the container's restart policy starts the whole again.  SIGTERM stops it (status 0).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ..remote import split_address
from .lab import READY_TIMEOUT, port_busy, tool, wait_for
from .sweeper import restore_once

STOP_TIMEOUT = 10.0


def _farm(address: str, *argv: str) -> list[str]:
    return [sys.executable, "-m", "keelfarm.cli.main", "-c", address, *argv]


def _stop(children: list[subprocess.Popen]) -> None:
    for child in reversed(children):
        if child.poll() is None:
            child.terminate()
    for child in reversed(children):
        try:
            child.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def serve_coordinator(address: str, state_dir: str, schedule: str | None = None,
                      say: Callable[[str], None] = print,
                      stop: threading.Event | None = None) -> int:
    """Run the coordinator, restore its reservations, run the sweeper (and scheduler)
    until SIGTERM/SIGINT or `stop` (0) or until one of them ends (1)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    state = Path(state_dir).resolve()
    for sub in ("coordinator", "sweeper"):
        os.makedirs(state / sub, exist_ok=True)
    host, port = split_address(address)
    names = ["coordinator"]
    children = [subprocess.Popen([tool("labgrid-coordinator"), "-l", address],
                                 cwd=state / "coordinator")]
    try:
        wait_for(f"the coordinator on {address}", lambda: port_busy(host, port)
                 or children[0].poll() is not None, READY_TIMEOUT)
        if children[0].poll() is not None:
            say(f"station: the coordinator exited with status {children[0].returncode}")
            return 1
        given = restore_once(address, state / "sweeper", say)
        say(f"station: coordinator on {address}; {len(given)} reservation"
            f"{'' if len(given) == 1 else 's'} given back")
        names.append("sweeper")
        children.append(subprocess.Popen(_farm(address, "lab", "sweep", "--dir",
                                               str(state / "sweeper"))))
        if schedule:
            names.append("scheduler")
            children.append(subprocess.Popen(_farm(address, "campaign", "schedule",
                                                   "--config", schedule)))
        while not stop.wait(1.0):
            ended = [(n, c.returncode) for n, c in zip(names, children, strict=True)
                     if c.poll() is not None]
            if ended:
                say("station: " + ", ".join(f"{n} ended (status {code})" for n, code in ended)
                    + "; stopping the rest")
                return 1
        return 0
    finally:
        _stop(children)
