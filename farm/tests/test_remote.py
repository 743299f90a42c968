"""The coordinator facade's connection handling (no coordinator running)."""

import socket

import pytest

from keelfarm.errors import FarmError
from keelfarm.remote import Coordinator, coordinator_address, probe, split_address


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_address_defaults(monkeypatch):
    monkeypatch.delenv("LG_COORDINATOR", raising=False)
    assert coordinator_address() == "127.0.0.1:20408"
    monkeypatch.setenv("LG_COORDINATOR", "lab:1234")
    assert coordinator_address() == "lab:1234"
    assert coordinator_address("x:1") == "x:1"


def test_split_address():
    assert split_address("127.0.0.1:20408") == ("127.0.0.1", 20408)
    assert split_address("[::1]:5") == ("::1", 5)
    assert split_address("lab") == ("lab", 20408)
    with pytest.raises(FarmError, match="bad coordinator address"):
        split_address("lab:port")


def test_no_coordinator_is_one_clear_error():
    port = closed_port()
    assert not probe(f"127.0.0.1:{port}", timeout=1)
    with pytest.raises(FarmError, match=f"no coordinator at 127.0.0.1:{port} .*farm lab up"):
        Coordinator.connect(f"127.0.0.1:{port}")


def test_one_session_per_coordinator_shared_and_closed_by_the_last_user(monkeypatch):
    import asyncio

    import labgrid.remote.client as client

    from keelfarm import remote

    class FakeSession:
        def __init__(self):
            self.loop = asyncio.new_event_loop()
            self.stopping = asyncio.Event()
            self.closed = False

        async def stop(self):
            pass

        async def close(self):
            self.closed = True

    started = []
    monkeypatch.setattr(remote, "probe", lambda address: True)
    monkeypatch.setattr(client, "start_session",
                        lambda address: started.append(FakeSession()) or started[-1])
    a = Coordinator.connect("lab:1")
    b = Coordinator.connect("lab:1")
    assert a.session is b.session and len(started) == 1
    a.close()
    a.close()
    assert not started[0].closed
    b.close()
    assert started[0].closed
    c = Coordinator.connect("lab:1")
    assert len(started) == 2 and c.session is started[1]
    started[1].stopping.set()  # the stream broke: the next user gets a new session
    d = Coordinator.connect("lab:1")
    assert len(started) == 3 and d.session is started[2]
    for s in started:
        s.loop.close()
