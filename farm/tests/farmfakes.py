"""Fakes for the farm's tests: a coordinator that keeps places and reservations in memory
(with labgrid's own Place, Reservation and scheduler), and a clock."""

from __future__ import annotations

from labgrid.remote.common import (
    Place,
    Reservation,
    ReservationState,
    ResourceEntry,
    ResourceMatch,
)
from labgrid.remote.scheduler import TagSet, schedule

from keelfarm.errors import FarmError

ME = "host/me"
OTHER = "elsewhere/other"


class FakeClock:
    """time.time / time.sleep stand-ins: sleeping advances the clock."""

    def __init__(self, now: float = 1_000_000.0):
        self.now = now
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


class FakeCoordinator:
    """The Coordinator facade's interface, in memory; ``calls`` records mutations."""

    def __init__(self, identity: str = ME, address: str = "127.0.0.1:20408"):
        self.identity = identity
        self.address = address
        self._places: dict[str, Place] = {}
        self._reservations: dict[str, Reservation] = {}
        self._resources: dict = {}
        self.calls: list[tuple] = []
        self.closed = False
        self.on_poll = None  # hook: called before each poll is answered

    # -- setup helpers -------------------------------------------------------------------

    def add(self, name: str, acquired: str | None = None, **tags: str) -> Place:
        """A place matching an exported group ``lab/<name>`` with a power port."""
        place = Place(name=name, tags=dict(tags), acquired=acquired)
        place.matches.append(ResourceMatch.fromstr(f"lab/{name}/*"))
        self._places[name] = place
        self._resources.setdefault("lab", {})[name] = {
            "NetworkPowerPort": ResourceEntry({"cls": "NetworkPowerPort", "avail": True,
                                               "params": {}})}
        return place

    # -- the facade ----------------------------------------------------------------------

    def places(self) -> dict:
        return dict(self._places)

    def place(self, name: str) -> Place:
        try:
            return self._places[name]
        except KeyError:
            raise FarmError(f"unknown place {name!r}") from None

    def resources(self) -> dict:
        return self._resources

    def sync(self) -> None:
        pass

    def add_place(self, name: str) -> None:
        self.calls.append(("add_place", name))
        self.add(name)

    def add_match(self, name: str, pattern: str) -> None:
        self.calls.append(("add_match", name, pattern))

    def set_tags(self, name: str, tags: dict) -> None:
        self.calls.append(("set_tags", name, dict(tags)))
        place = self.place(name)
        for k, v in tags.items():
            if v:
                place.tags[k] = v
            else:
                place.tags.pop(k, None)

    def acquire(self, name: str) -> None:
        self.calls.append(("acquire", name))
        place = self.place(name)
        if place.acquired:
            raise FarmError(f"Place {name} is already acquired")
        if place.reservation:
            owner = self._reservations[place.reservation].owner
            if owner != self.identity:
                raise FarmError(f"Place {name} was not reserved for {self.identity}")
        place.acquired = self.identity

    def release(self, name: str) -> None:
        self.calls.append(("release", name))
        place = self.place(name)
        if not place.acquired:
            raise FarmError(f"Place {name} is not acquired")
        place.acquired = None

    def reserve(self, filters: dict) -> Reservation:
        res = Reservation(owner=self.identity, filters={"main": dict(filters)})
        self._reservations[res.token] = res
        self.calls.append(("reserve", dict(filters)))
        self._schedule()
        return res

    def poll(self, token: str) -> Reservation:
        if self.on_poll:
            self.on_poll(self)
        self._schedule()
        try:
            return self._reservations[token]
        except KeyError:
            raise FarmError(f"Reservation {token} does not exist") from None

    def cancel(self, token: str) -> None:
        self.calls.append(("cancel", token))
        if self._reservations.pop(token, None) is None:
            raise FarmError(f"Reservation {token} does not exist")
        for place in self._places.values():
            if place.reservation == token:
                place.reservation = None

    def close(self) -> None:
        self.closed = True

    # -- what the coordinator's scheduler does -------------------------------------------

    def _schedule(self) -> None:
        free = [TagSet(p.name, set(p.tags.items()) | {("name", p.name)})
                for p in self._places.values() if not p.acquired and not p.reservation]
        waiting = [TagSet(r.token, set(r.filters["main"].items()))
                   for r in self._reservations.values()
                   if r.state is ReservationState.waiting]
        for token, name in schedule(free, waiting).items():
            res = self._reservations[token]
            res.state = ReservationState.allocated
            res.allocations = {"main": [name]}
            self._places[name].reservation = token
