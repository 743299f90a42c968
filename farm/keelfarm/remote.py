"""The farm's view of a labgrid coordinator: a small synchronous facade over labgrid's
ClientSession, so the farm's logic (leases, health, reservations) can be written and
tested against a plain object.  Every gRPC failure becomes a one-line FarmError.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket

from .errors import FarmError

DEFAULT_ADDRESS = "127.0.0.1:20408"
CONNECT_TIMEOUT = 5.0
CALL_TIMEOUT = 15.0


def coordinator_address(address: str | None = None) -> str:
    """Explicit address, else $LG_COORDINATOR, else labgrid's default."""
    return address or os.environ.get("LG_COORDINATOR") or DEFAULT_ADDRESS


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host:
        host, port = address, "20408"
    host = host.strip("[]")
    try:
        return host, int(port)
    except ValueError:
        raise FarmError(f"bad coordinator address {address!r} (want HOST:PORT)") from None


def probe(address: str, timeout: float = CONNECT_TIMEOUT) -> bool:
    """True if something accepts TCP connections at ``address``."""
    host, port = split_address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# One client session per coordinator and process: gRPC shares the connection between
# channels to the same address, and the coordinator refuses a second client stream on
# one connection.  Coordinator objects share the session and count their users.
_sessions: dict[str, list] = {}  # address -> [session, users]


class Coordinator:
    """A connected labgrid client session.  Use ``Coordinator.connect()``."""

    def __init__(self, session, address: str):
        self.session = session
        self.address = address
        self.loop = session.loop
        self._closed = False

    @classmethod
    def connect(cls, address: str | None = None) -> Coordinator:
        address = coordinator_address(address)
        shared = _sessions.get(address)
        if shared is not None and not shared[0].stopping.is_set():
            shared[1] += 1
            return cls(shared[0], address)
        if not probe(address):
            raise FarmError(f"no coordinator at {address} (start a local one with "
                            f"`farm lab up`, or set LG_COORDINATOR)")
        from labgrid.remote.client import start_session

        # labgrid logs a lost stream at ERROR; we report it ourselves, in one line
        logging.getLogger().addFilter(_quiet_grpc_noise)
        try:
            session = start_session(address)
        except Exception as e:
            raise FarmError(f"cannot talk to the coordinator at {address}: {e}") from e
        _sessions[address] = [session, 1]
        return cls(session, address)

    # -- identity ------------------------------------------------------------------------

    @property
    def identity(self) -> str:
        """'host/user', the name labgrid records as a place's holder."""
        return f"{self.session.gethostname()}/{self.session.getuser()}"

    # -- reading -------------------------------------------------------------------------

    def places(self) -> dict:
        """Place name -> labgrid Place, as of the last sync."""
        return dict(self.session.places)

    def place(self, name: str):
        try:
            return self.session.places[name]
        except KeyError:
            known = ", ".join(sorted(self.session.places)) or "none"
            raise FarmError(f"unknown place {name!r} (places: {known})") from None

    def resources(self) -> dict:
        """exporter -> group -> resource name -> ResourceEntry."""
        return self.session.resources

    def sync(self) -> None:
        self._call(self.session.sync_with_coordinator())

    # -- places --------------------------------------------------------------------------

    def add_place(self, name: str) -> None:
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        self._rpc(self.session.stub.AddPlace(pb.AddPlaceRequest(name=name)))

    def add_match(self, name: str, pattern: str) -> None:
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        self._rpc(self.session.stub.AddPlaceMatch(
            pb.AddPlaceMatchRequest(placename=name, pattern=pattern)))

    def set_tags(self, name: str, tags: dict[str, str]) -> None:
        """Set tags; an empty value deletes the tag."""
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        self._rpc(self.session.stub.SetPlaceTags(
            pb.SetPlaceTagsRequest(placename=name, tags=tags)))

    def acquire(self, name: str) -> None:
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        self._rpc(self.session.stub.AcquirePlace(pb.AcquirePlaceRequest(placename=name)))

    def release(self, name: str) -> None:
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        self._rpc(self.session.stub.ReleasePlace(pb.ReleasePlaceRequest(placename=name)))

    # -- reservations --------------------------------------------------------------------

    def reserve(self, filters: dict[str, str]):
        """Create a reservation; returns labgrid's Reservation."""
        from labgrid.remote.common import Reservation
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        req = pb.CreateReservationRequest(
            filters={"main": pb.Reservation.Filter(filter=filters)}, prio=0.0)
        res = self._rpc(self.session.stub.CreateReservation(req), sync=False)
        return Reservation.from_pb2(res.reservation)

    def poll(self, token: str):
        from labgrid.remote.common import Reservation
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        res = self._rpc(self.session.stub.PollReservation(pb.PollReservationRequest(token=token)),
                        sync=False)
        return Reservation.from_pb2(res.reservation)

    def cancel(self, token: str) -> None:
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        self._rpc(self.session.stub.CancelReservation(pb.CancelReservationRequest(token=token)))

    def reservations(self) -> list:
        from labgrid.remote.common import Reservation
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        res = self._rpc(self.session.stub.GetReservations(pb.GetReservationsRequest()),
                        sync=False)
        return [Reservation.from_pb2(r) for r in res.reservations]

    # -- plumbing ------------------------------------------------------------------------

    def close(self) -> None:
        """Let go of the session; the last user closes it.  Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        shared = _sessions.get(self.address)
        if shared is not None and shared[0] is self.session:
            shared[1] -= 1
            if shared[1] > 0:
                return
            del _sessions[self.address]
        try:
            self._call(self.session.stop())
            self._call(self.session.close())
        except Exception:  # closing a broken session must not hide the real error
            logging.getLogger(__name__).debug("closing session", exc_info=True)

    def _call(self, coro, timeout: float = CALL_TIMEOUT):
        try:
            return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))
        except TimeoutError:
            raise FarmError(f"the coordinator at {self.address} did not answer "
                            f"within {timeout:.0f} s") from None

    def _rpc(self, call, sync: bool = True):
        import grpc

        try:
            result = self._call(call)
        except grpc.aio.AioRpcError as e:
            if e.code() == grpc.StatusCode.UNAVAILABLE:
                raise FarmError(f"lost the coordinator at {self.address}") from None
            raise FarmError(e.details()) from None
        if sync:
            self.sync()
        return result


def _quiet_grpc_noise(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("coordinator became unavailable")


def exported(place, resources) -> bool:
    """True if every resource the place matches is present and available."""
    found = False
    for exporter, groups in resources.items():
        for group, entries in groups.items():
            for name, entry in entries.items():
                if not entry.data:  # deleted (its exporter went away)
                    continue
                if place.hasmatch((exporter, group, entry.cls, name)):
                    found = True
                    if not entry.avail:
                        return False
    return found
