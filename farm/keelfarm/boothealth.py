"""A farm board's health, kept from the boots that tests make on it.

The strategies only tell their boots' outcomes (KeelBootProtocol.add_boot_listener);
the pytest plugin listens with `listener_for(target)` when the target is a farm place
and records each boot in the place's health tags (health.py): a passing boot clears
the board, a board fault counts against it.  Best effort: a coordinator hiccup must not
turn a boot result into another.  `farm boot` records health itself and does not
listen.
"""

from __future__ import annotations

import logging

from . import health

log = logging.getLogger(__name__)


def remote_place(target):
    """(place name, Coordinator) when `target` is a labgrid remote place with a live
    session, else None."""
    from labgrid.resource.remote import RemotePlace, RemotePlaceManager

    from .remote import Coordinator

    places = [r for r in target.resources if isinstance(r, RemotePlace)]
    session = RemotePlaceManager.get().session
    if not places or session is None:
        return None
    return places[0].name, Coordinator(session, getattr(session, "address", ""))


def listener_for(target):
    """A boot listener recording health for `target`'s place, or None off the farm."""
    from labgrid.resource.remote import RemotePlace

    if not any(isinstance(r, RemotePlace) for r in target.resources):
        return None
    return health_listener(lambda: remote_place(target))


def attach(strategy, target) -> None:
    """Keep `target`'s health from `strategy`'s boots (once per strategy)."""
    if getattr(strategy, "_health_attached", False):
        return
    listener = listener_for(target)
    if listener is not None:
        strategy.add_boot_listener(listener)
    strategy._health_attached = True


def health_listener(place_of):
    """A boot listener recording health for the place `place_of()` names ((name,
    Coordinator) or None)."""
    def record(error) -> None:
        place = place_of()
        if place is None:
            return
        name, coord = place
        try:
            note = health.record_pass(coord, name) if error is None else \
                health.record_failure(coord, name, error)
            if note:
                log.warning("%s", note)
        except Exception:
            log.warning("could not record the board's health", exc_info=True)
    return record
