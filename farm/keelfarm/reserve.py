"""Reserving and releasing places: labgrid reservations and locks, plus a lease.

A reservation asks the coordinator's scheduler for any place tagged ``board=<kind>``
and ``health=ok``; once it is allocated the place is locked (labgrid "acquire") and the
lease's end is written to its tags.  Naming a place instead (``name=<place>``) skips the
health filter: that is how a board tagged unhealthy gets its health check.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import health, lease
from .errors import FarmError

BOARD_TAG = "board"
POLL_INTERVAL = 1.0
NO_WAIT_GRACE = 5.0  # seconds a non-waiting reservation may take to be allocated


@dataclass
class Lease:
    place: str
    until: float
    token: str


def _kinds(places) -> str:
    kinds = sorted({p.tags.get(BOARD_TAG) for p in places if p.tags.get(BOARD_TAG)})
    return ", ".join(kinds) or "none"


def _filters(coord, board: str | None, place: str | None) -> dict[str, str]:
    places = list(coord.places().values())
    if place:
        coord.place(place)  # unknown place -> FarmError
        return {"name": place}
    tagged = [p for p in places if p.tags.get(BOARD_TAG) == board]
    if not tagged:
        raise FarmError(f"unknown board tag {board!r} (tags in use: {_kinds(places)})")
    if not any(health.health(p) == health.OK for p in tagged):
        names = ", ".join(sorted(p.name for p in tagged))
        raise FarmError(f"every board tagged board={board} is unhealthy ({names}); "
                        f"a passing boot on one clears it (farm reserve --place NAME)")
    return {BOARD_TAG: board, health.HEALTH_TAG: health.OK}


def _busy(coord, filters: dict[str, str]) -> str:
    held = []
    for p in coord.places().values():
        tags = dict(p.tags, name=p.name)
        if all(tags.get(k) == v for k, v in filters.items()):
            who = p.acquired or ("reserved" if p.reservation else "free")
            held.append(f"{p.name} ({who})")
    return ", ".join(sorted(held)) or "none"


def reserve(coord, *, board: str | None = None, place: str | None = None,
            duration: float = lease.DEFAULT_LEASE, wait: bool = False,
            timeout: float | None = None, clock: Callable[[], float] = time.time,
            sleep: Callable[[float], None] = time.sleep,
            say: Callable[[str], None] = print) -> Lease:
    """Reserve, lock and lease one place; returns the lease.  Without ``wait`` it fails
    at once (after a short grace) when no matching place is free."""
    filters = _filters(coord, board, place)
    res = coord.reserve(filters)
    start = clock()
    try:
        told = False
        while True:
            res = coord.poll(res.token)
            state = res.state.name
            if state in ("allocated", "acquired"):
                break
            if state != "waiting":
                raise FarmError(f"reservation {res.token} became {state}")
            waited = clock() - start
            if not wait and waited >= NO_WAIT_GRACE:
                raise FarmError(f"no free place matching {_describe(filters)} "
                                f"({_busy(coord, filters)}); use --wait to queue")
            if timeout is not None and waited >= timeout:
                raise FarmError(f"no place matching {_describe(filters)} became free within "
                                f"{lease.format_duration(timeout)}")
            if wait and not told:
                say(f"waiting for a place matching {_describe(filters)} "
                    f"(now: {_busy(coord, filters)})")
                told = True
            sleep(POLL_INTERVAL)
        name = res.allocations["main"][0]
        coord.acquire(name)
    except BaseException:
        with contextlib.suppress(FarmError):
            coord.cancel(res.token)
        raise
    until = clock() + duration
    coord.set_tags(name, {lease.LEASE_TAG: str(int(until)), lease.EXPIRED_TAG: ""})
    return Lease(name, until, res.token)


def release(coord, name: str, now: float) -> None:
    """Unlock a place held by this client, cancel its reservation, end its lease."""
    place = coord.place(name)
    if place.acquired != coord.identity:
        lease.require_holder(coord, name, now)  # raises the precise reason
    coord.release(name)
    if place.reservation:
        with contextlib.suppress(FarmError):
            coord.cancel(place.reservation)
    coord.set_tags(name, {lease.LEASE_TAG: ""})


def held_by_me(coord) -> list[str]:
    me = coord.identity
    return sorted(p.name for p in coord.places().values() if p.acquired == me)


def _describe(filters: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(filters.items()))


def reserve_many(coord, board: str, count: int, *, duration: float,
                 say: Callable[[str], None] = print, **kw) -> list[Lease]:
    """Up to `count` places tagged board=`board`: waits for the first, takes the others
    only if they are free now (a campaign goes on with the places it got)."""
    leases: list[Lease] = []
    try:
        while len(leases) < count:
            try:
                leases.append(reserve(coord, board=board, duration=duration,
                                      wait=not leases, say=say, **kw))
            except FarmError as e:
                if not leases:
                    raise
                say(f"farm: only {len(leases)} of {count} places with board={board} "
                    f"free ({e})")
                break
    except BaseException:
        for held in leases:
            with contextlib.suppress(FarmError):
                release(coord, held.place, time.time())
        raise
    return leases


def renew(coord, names: list[str], duration: float, now: float) -> None:
    """Move the leases of places this client holds to end `duration` from `now`."""
    for name in names:
        if coord.place(name).acquired == coord.identity:
            coord.set_tags(name, {lease.LEASE_TAG: str(int(now + duration))})
