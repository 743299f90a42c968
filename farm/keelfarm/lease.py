"""Leases: how long a reserved place is yours.

labgrid locks never expire, so the farm writes the lease's end into a place tag
(``lease_until``, seconds since the epoch) where every client sees it, and every `farm`
command sweeps: a place whose lease has run out is released, its reservation cancelled,
and ``lease_expired`` records whose lease it was and when it ended, so the former holder
is told so instead of being told the place is simply not theirs.

labgrid's coordinator also forgets its locks when it restarts, and the places and tags
it keeps are saved only every 15 seconds.  So the farm keeps its own record of the
leases (`held`: place -> holder and end, written by the lab's sweeper every second),
and after a restart `restore` gives each place whose lease still runs back to its
holder, tags included, and ends the leases that ran out meanwhile.
"""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass

from .errors import FarmError

LEASE_TAG = "lease_until"
EXPIRED_TAG = "lease_expired"  # "<epoch>:<host/user>"
DEFAULT_LEASE = 2 * 3600

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd]?)")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """'90' / '90s' / '30m' / '2h' / '1d' / '1h30m' -> seconds (> 0)."""
    text = text.strip().lower().replace(" ", "")
    pos, total = 0, 0.0
    while pos < len(text):
        m = _DURATION.match(text, pos)
        if not m or m.end() == pos:
            raise FarmError(f"bad duration {text!r} (use e.g. 30m, 2h, 1h30m)")
        total += float(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    if total <= 0:
        raise FarmError(f"bad duration {text!r} (must be more than zero)")
    return total


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m"
    if m:
        return f"{m}m{s:02d}s"
    return f"{s}s"


def clock_time(epoch: float) -> str:
    return time.strftime("%H:%M", time.localtime(epoch))


def lease_until(place) -> float | None:
    try:
        return float(place.tags[LEASE_TAG])
    except (KeyError, ValueError):
        return None


@dataclass
class Expired:
    place: str
    holder: str
    at: float


def expired_record(place) -> Expired | None:
    """Whose lease on ``place`` ran out last, and when (None if none did)."""
    raw = place.tags.get(EXPIRED_TAG, "")
    at, sep, holder = raw.partition(":")
    if not sep:
        return None
    try:
        return Expired(place.name, holder, float(at))
    except ValueError:
        return None


def sweep(coord, now: float) -> list[Expired]:
    """Release every acquired place whose lease ended at or before ``now``."""
    released = []
    for place in list(coord.places().values()):
        until = lease_until(place)
        if until is None or until > now or not place.acquired:
            continue
        holder = place.acquired
        with contextlib.suppress(FarmError):  # someone else released it meanwhile
            coord.release(place.name)
        if place.reservation:
            with contextlib.suppress(FarmError):
                coord.cancel(place.reservation)
        coord.set_tags(place.name, {LEASE_TAG: "", EXPIRED_TAG: f"{int(until)}:{holder}"})
        released.append(Expired(place.name, holder, until))
    return released


def held(coord) -> dict[str, dict]:
    """The leases running now: place -> {"holder": "host/user", "until": epoch}."""
    return {p.name: {"holder": p.acquired, "until": until}
            for p in coord.places().values()
            if p.acquired and (until := lease_until(p)) is not None}


def restore(coord, record: dict[str, dict], now: float,
            acquire_as) -> tuple[list[str], list[Expired]]:
    """After a coordinator restart: each place of `record` (as `held` gave it) that has
    no lock goes back to its holder (`acquire_as(holder, place)`) with its lease tag if
    the lease still runs; a lease that ran out meanwhile ends as `sweep` ends it.
    Returns (places given back, leases ended)."""
    given, ended = [], []
    places = coord.places()
    for name, lease in sorted(record.items()):
        place = places.get(name)
        if place is None or place.acquired:
            continue
        holder, until = lease["holder"], float(lease["until"])
        if until > now:
            coord.set_tags(name, {LEASE_TAG: str(int(until)), EXPIRED_TAG: ""})
            acquire_as(holder, name)
            given.append(name)
        else:
            coord.set_tags(name, {LEASE_TAG: "", EXPIRED_TAG: f"{int(until)}:{holder}"})
            ended.append(Expired(name, holder, until))
    return given, ended


def require_holder(coord, name: str, now: float) -> object:
    """The place ``name`` if this client holds it under a running lease; otherwise a
    FarmError saying why not (unknown, free, someone else's, or your lease expired)."""
    place = coord.place(name)
    me = coord.identity
    if place.acquired == me:
        until = lease_until(place)
        if until is not None and until <= now:
            raise FarmError(f"your lease on {name} expired at {clock_time(until)}")
        return place
    gone = expired_record(place)
    if gone is not None and gone.holder == me:
        raise FarmError(f"your lease on {name} expired at {clock_time(gone.at)} and the "
                        f"place was released")
    if place.acquired:
        until = lease_until(place)
        tail = f" until {clock_time(until)}" if until else ""
        raise FarmError(f"{name} is held by {place.acquired}{tail}")
    raise FarmError(f"{name} is not reserved (farm reserve --board "
                    f"{place.tags.get('board', 'TAG')} first)")
