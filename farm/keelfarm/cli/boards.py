"""`farm boards`: every place with its tags, holder, lease and health."""

from __future__ import annotations

import time

from .. import health, lease
from ..remote import exported
from .common import coordinator

COLUMNS = ("PLACE", "BOARD", "STATE", "HOLDER", "LEASE", "HEALTH")


def register(sub) -> None:
    p = sub.add_parser("boards", help="list places: tags, holder, lease, health")
    p.set_defaults(func=run)


def place_row(place, resources, now: float) -> tuple[str, ...]:
    until = lease.lease_until(place)
    if place.acquired and until is not None:
        left = f"{lease.format_duration(until - now)} (to {lease.clock_time(until)})"
    else:
        left = "-"
    state = "held" if place.acquired else ("reserved" if place.reservation else "free")
    if not exported(place, resources):
        state += ",offline"
    fails = health.failures(place)
    status = health.health(place) + (f" ({fails} failed)" if fails else "")
    return (place.name, place.tags.get("board", "-"), state, place.acquired or "-", left,
            status)


def table(rows) -> str:
    rows = [COLUMNS, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


def run(args) -> int:
    with coordinator(args) as coord:
        now = time.time()
        rows = [place_row(p, coord.resources(), now)
                for _, p in sorted(coord.places().items())]
        extra = [f"  {p.name}: {p.tags}" for _, p in sorted(coord.places().items())
                 if args.verbose]
    print(table(rows))
    for line in extra:
        print(line)
    return 0
