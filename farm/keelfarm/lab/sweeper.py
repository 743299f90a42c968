"""The lab's sweeper: what the farm commands do on the way in, done while none runs.

Every `farm` command sweeps expired leases before it does anything (lease.py), so a
lease that ran out is noticed by the next command — which may come hours later while
the board sits locked.  And labgrid's coordinator forgets its locks when it restarts
(and saves its places and tags only every 15 s), so after a crash every reservation
would be gone.  The sweeper runs beside the coordinator (`farm lab` starts one; a
coordinator elsewhere runs `farm lab sweep` beside it) and, every `EVERY` seconds:

- releases places whose lease has run out (lease.sweep);
- writes the running leases to its record (`<dir>/leases.json`, lease.held): the
  farm's own account of who holds what, at most a second old;
- when it lost the coordinator and finds one again, gives every place of the record
  whose lease still runs back to its holder (lease.restore), acquiring it in the
  holder's name as labgrid's own client would (`labgrid-client acquire` as that
  host/user), so the holder's next `farm boot` finds its board still reserved.

A place released on purpose is gone from the record within a second, so it is never
handed back; a coordinator that does not answer is waited for, not an error.  The
reservations go back once per restart: whoever gives them back (`farm lab up`'s
`restore_once`, or the sweeper) leaves a mark (`<dir>/restored`), and a sweeper that
finds the coordinator again after another gave them back does not do it twice — its
record may be older than the restart, and a place its holder released since would
come back to them (seen: a sweeper stuck 15 s on the dead coordinator re-acquired a
place released after `farm lab up` had restored it).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .. import lease
from ..errors import FarmError

EVERY = 1.0
RECORD = "leases.json"
RESTORED = "restored"  # the time of the last restore, in the record's directory


def acquirer(address: str) -> Callable[[str, str], None]:
    """acquire_as(holder, place) with labgrid-client, as the holder ('host/user')."""
    from .lab import tool

    def acquire_as(holder: str, place: str) -> None:
        host, _, user = holder.partition("/")
        env = {**os.environ, "LG_HOSTNAME": host, "LG_USERNAME": user}
        proc = subprocess.run([tool("labgrid-client"), "-x", address, "-p", place, "acquire"],
                              env=env, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            why = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
            raise FarmError(f"could not give {place} back to {holder}: {why[0]}")
    return acquire_as


def read_record(path: Path) -> dict[str, dict]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def write_record(path: Path, record: dict[str, dict]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)


def restored_mark(path: Path) -> str | None:
    """The mark the last restore of the record at `path` left (None: none yet)."""
    try:
        return (path.parent / RESTORED).read_text()
    except OSError:
        return None


def restore_from(coord, path: Path, acquire_as, say: Callable[[str], None]) -> list[str]:
    """Give the recorded leases back (after a coordinator restart) and leave the mark
    that they were; the places given."""
    given, ended = lease.restore(coord, read_record(path), time.time(), acquire_as)
    (path.parent / RESTORED).write_text(f"{time.time_ns()}\n")
    coord.sync()
    for name in given:
        say(f"sweeper: {name} is reserved again for {coord.place(name).acquired}")
    for gone in ended:
        say(f"sweeper: lease of {gone.place} held by {gone.holder} ran out while the "
            f"coordinator was away")
    return given


def restore_once(address: str, run_dir: str | Path, say: Callable[[str], None]) -> list[str]:
    """Give the reservations in `run_dir`'s record back to their holders on a coordinator
    that has just started (it forgot every lock), waiting for it to answer and, up to
    READY_TIMEOUT, for the exporters of the recorded places to come back (labgrid
    refuses to lock a place whose resources are not there)."""
    from ..remote import Coordinator, exported, probe
    from .lab import READY_TIMEOUT, wait_for

    wait_for(f"the coordinator at {address}", lambda: probe(address, timeout=1.0),
             READY_TIMEOUT)
    coord = Coordinator.connect(address)
    try:
        def missing() -> list[str]:
            coord.sync()
            places, resources = coord.places(), coord.resources()
            return [n for n in sorted(read_record(Path(run_dir) / RECORD))
                    if n in places and not exported(places[n], resources)]
        try:
            wait_for("the exporters of the reserved places", lambda: not missing(),
                     READY_TIMEOUT)
        except FarmError:
            say(f"sweeper: {', '.join(missing())} not exported (exporter away); trying "
                "to give the reservations back anyway")
        return restore_from(coord, Path(run_dir) / RECORD, acquirer(address), say)
    finally:
        coord.close()


class Sweeper:
    def __init__(self, address: str, run_dir: str | Path, say: Callable[[str], None] = print):
        self.address = address
        self.record = Path(run_dir) / RECORD
        self.record.parent.mkdir(parents=True, exist_ok=True)
        self.say = say
        self.acquire_as = acquirer(address)
        self.coord = None
        self.lost = False  # the coordinator went away since we last saw it
        self.mark = restored_mark(self.record)  # the restore mark when we last saw it

    def tick(self) -> None:
        from ..remote import Coordinator
        try:
            if self.coord is None:
                self.coord = Coordinator.connect(self.address)
                if self.lost and restored_mark(self.record) != self.mark:
                    self.say("sweeper: the reservations were given back while I was "
                             "away; not again")
                elif self.lost:
                    restore_from(self.coord, self.record, self.acquire_as, self.say)
                self.lost = False
            self.coord.sync()
            for gone in lease.sweep(self.coord, time.time()):
                self.say(f"sweeper: lease of {gone.place} held by {gone.holder} expired at "
                         f"{lease.clock_time(gone.at)}; released it")
            record = lease.held(self.coord)
            if record != read_record(self.record):
                write_record(self.record, record)
            self.mark = restored_mark(self.record)
        except FarmError as e:
            self.say(f"sweeper: {e}")
            if self.coord is not None:
                self.coord.close()
                self.coord = None
                self.lost = True

    def run(self, stop: threading.Event | None = None, every: float = EVERY) -> None:
        stop = stop or threading.Event()
        while not stop.is_set():
            self.tick()
            stop.wait(every)
