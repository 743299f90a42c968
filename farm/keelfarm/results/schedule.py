"""Nightly campaigns: a config file of campaigns and the times they start.

    # farm/schedule.yaml
    campaigns:
      - name: nightly-boot
        at: "02:00"              # local time, every day ...
        days: [mon, tue, wed, thu, fri]   # ... or only these
        suite: boot
        place: [qemu-virt]       # local environments / places held
        board: vboard            # and N reserved boards of a kind
        places: 2
        runs: 200                # or hours: 6
      - name: weekend-soak
        at: "20:00"
        days: [sat]
        suite: smp_stress
        board: unmatched
        places: 4
        hours: 30

`farm campaign schedule --config FILE` runs forever and starts each campaign when it is
due, as its own `farm campaign run` process (so a campaign that crashes takes nothing
else with it), one at a time; `--once` starts what is due now and returns (for a
systemd timer or cron).  The state file beside the config (`<config>.state.json`)
remembers when each entry last started, so a restarted scheduler neither repeats a
night nor, if it was down at the time, skips one: an entry that was due while nobody
ran is started once, late.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import FarmError

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass
class Entry:
    name: str
    at: dt.time
    suite: str
    days: list[int] = field(default_factory=lambda: list(range(7)))  # weekday numbers
    place: list[str] = field(default_factory=list)
    board: str | None = None
    places: int = 1
    runs: int | None = None
    hours: float | None = None
    extra: list[str] = field(default_factory=list)  # more `campaign run` arguments

    def argv(self, db: str | None) -> list[str]:
        """The `farm campaign run` arguments of this entry."""
        args = ["campaign", "run", "--suite", self.suite]
        for place in self.place:
            args += ["--place", place]
        if self.board:
            args += ["--board", self.board, "--places", str(self.places)]
        args += ["--runs", str(self.runs)] if self.runs else ["--hours", f"{self.hours:g}"]
        if db:
            args += ["--db", db]
        return args + self.extra

    def last_due(self, now: dt.datetime) -> dt.datetime:
        """The latest start time at or before `now`."""
        day = now.date()
        for back in range(8):
            when = dt.datetime.combine(day - dt.timedelta(days=back), self.at)
            if when <= now and when.weekday() in self.days:
                return when
        raise AssertionError("a week always has one of the days")

    def next_due(self, now: dt.datetime) -> dt.datetime:
        day = now.date()
        for ahead in range(8):
            when = dt.datetime.combine(day + dt.timedelta(days=ahead), self.at)
            if when > now and when.weekday() in self.days:
                return when
        raise AssertionError("a week always has one of the days")


def parse_entry(raw: dict, where: str) -> Entry:
    try:
        name, suite = str(raw["name"]), str(raw["suite"])
        hour, minute = (int(x) for x in str(raw["at"]).split(":"))
        at = dt.time(hour, minute)
    except (KeyError, ValueError, TypeError) as e:
        raise FarmError(f"{where}: each campaign needs name, suite and at: HH:MM ({e})") \
            from None
    days = raw.get("days") or DAYS
    bad = [d for d in days if str(d).lower()[:3] not in DAYS]
    if bad:
        raise FarmError(f"{where}: {name}: unknown days {bad} (use {', '.join(DAYS)})")
    places = raw.get("place") or []
    entry = Entry(name=name, at=at, suite=suite,
                  days=sorted({DAYS.index(str(d).lower()[:3]) for d in days}),
                  place=[places] if isinstance(places, str) else list(places),
                  board=raw.get("board"), places=int(raw.get("places", 1)),
                  runs=raw.get("runs"), hours=raw.get("hours"),
                  extra=[str(x) for x in raw.get("extra", [])])
    if bool(entry.runs) == bool(entry.hours):
        raise FarmError(f"{where}: {name}: give runs or hours, one of them")
    if not entry.place and not entry.board:
        raise FarmError(f"{where}: {name}: give place or board")
    return entry


def load(path: str | Path) -> list[Entry]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as e:
        raise FarmError(f"schedule {path}: {e}") from None
    entries = [parse_entry(raw, str(path)) for raw in data.get("campaigns") or []]
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        raise FarmError(f"schedule {path}: campaign names must differ")
    return entries


def state_path(config: str | Path) -> Path:
    return Path(f"{config}.state.json")


def read_state(path: Path) -> dict[str, dt.datetime]:
    try:
        return {k: dt.datetime.fromisoformat(v) for k, v in json.loads(path.read_text()).items()}
    except (OSError, ValueError):
        return {}


def write_state(path: Path, state: dict[str, dt.datetime]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({k: v.isoformat() for k, v in state.items()}, indent=1) + "\n")
    tmp.replace(path)


def due(entries: list[Entry], state: dict[str, dt.datetime], now: dt.datetime) -> list[Entry]:
    """Entries whose latest start time has passed since they last started.  An entry
    never started counts from its first start time after it was added: a new entry
    does not fire at once for a night it was not there for."""
    out = []
    for entry in entries:
        last = state.get(entry.name)
        if last is not None and entry.last_due(now) > last:
            out.append(entry)
    return out
