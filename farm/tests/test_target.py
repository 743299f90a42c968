"""Waiting for a held place's resources after an exporter restart; environment choice."""

import pytest
from farmfakes import ME, FakeClock, FakeCoordinator
from labgrid.remote.common import ResourceEntry

from keelfarm.errors import FarmError
from keelfarm.target import ENVS, await_place_ready, env_file_for, unready_resources


def held_place(serial_port=5000, avail=True, acquired_for="vboard-1"):
    coord = FakeCoordinator()
    place = coord.add("vboard-1", acquired=ME, board="vboard")
    coord.resources()["lab"]["vboard-1"] = {
        "RawSerialPort": ResourceEntry({"cls": "NetworkSerialPort", "avail": avail,
                                        "acquired": acquired_for,
                                        "params": {"host": "127.0.0.1", "port": serial_port}}),
    }
    place.acquired_resources = [["lab", "vboard-1", "NetworkSerialPort", "RawSerialPort"]]
    return coord


def test_a_served_place_is_ready():
    assert unready_resources(held_place(), "vboard-1") == []


@pytest.mark.parametrize("kw,problem", [
    ({"serial_port": None}, "is not served yet"),
    ({"avail": False}, "is unavailable"),
    ({"acquired_for": None}, "is not acquired for vboard-1"),
])
def test_what_is_not_ready(kw, problem):
    assert problem in unready_resources(held_place(**kw), "vboard-1")[0]


def test_an_exporter_that_vanished():
    coord = held_place()
    coord.resources()["lab"].clear()
    assert unready_resources(coord, "vboard-1") == ["lab/vboard-1/RawSerialPort is gone"]


def test_an_exporter_that_disconnected():
    coord = held_place()
    coord.resources()["lab"]["vboard-1"]["RawSerialPort"].data = {}  # labgrid's deletion
    assert unready_resources(coord, "vboard-1") == ["lab/vboard-1/RawSerialPort is gone"]


def test_waits_for_the_coordinator_to_reacquire():
    coord = held_place(acquired_for=None)
    clock = FakeClock()
    entry = coord.resources()["lab"]["vboard-1"]["RawSerialPort"]

    def sleep(seconds):
        clock.sleep(seconds)
        if clock.slept >= 3:
            entry.data["acquired"] = "vboard-1"

    await_place_ready(coord, "vboard-1", timeout=10, clock=clock, sleep=sleep)
    assert 3 <= clock.slept < 10


def test_gives_up_with_a_clear_error():
    coord = held_place(serial_port=None)
    clock = FakeClock()
    with pytest.raises(FarmError, match=r"vboard-1 is not usable \(exporter down\?\): "
                                        r"lab/vboard-1/RawSerialPort is not served yet"):
        await_place_ready(coord, "vboard-1", timeout=5, clock=clock, sleep=clock.sleep)


def test_environment_by_board_tag(tmp_path):
    coord = FakeCoordinator()
    assert env_file_for(coord.add("a", board="vboard")) == str(ENVS / "vboard.yaml")
    assert env_file_for(coord.add("b", board="unmatched")) == str(ENVS / "unmatched.yaml")
    with pytest.raises(FarmError, match="no environment for board=toaster"):
        env_file_for(coord.add("c", board="toaster"))
    with pytest.raises(FarmError, match="has no board tag"):
        env_file_for(coord.add("d"))
    own = tmp_path / "mine.yaml"
    own.write_text("targets: {}\n")
    assert env_file_for(coord.add("e"), str(own)) == str(own)
    with pytest.raises(FarmError, match="not found"):
        env_file_for(coord.add("f"), str(tmp_path / "none.yaml"))


def test_older_targets_are_retired_from_the_remote_place_manager():
    from keelfarm import target as target_mod

    class Res:
        def __init__(self, target):
            self.target = target

    class Old:
        deactivated = False

        def deactivate_all_drivers(self):
            self.deactivated = True

    class Manager:
        pass

    old, other = Old(), object()
    manager = Manager()
    manager.resources = [Res(old), Res(other)]
    manager.unmanaged_resources = [Res(old)]
    target_mod._targets.append(old)
    target_mod._retire_targets(manager)
    assert old.deactivated
    assert [r.target for r in manager.resources] == [other]
    assert manager.unmanaged_resources == []
    assert target_mod._targets == []
