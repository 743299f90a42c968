"""Leases: durations, the sweep that releases expired places, and the holder check."""

import pytest
from farmfakes import ME, OTHER, FakeClock, FakeCoordinator

from keelfarm import lease
from keelfarm.errors import FarmError


@pytest.mark.parametrize("text,seconds", [
    ("90", 90), ("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400),
    ("1h30m", 5400), (" 2H ", 7200), ("0.5h", 1800),
])
def test_parse_duration(text, seconds):
    assert lease.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "2x", "h", "-1h", "1h-"])
def test_parse_duration_rejects(text):
    with pytest.raises(FarmError, match="bad duration"):
        lease.parse_duration(text)


def test_format_duration():
    assert lease.format_duration(7200) == "2h00m"
    assert lease.format_duration(61) == "1m01s"
    assert lease.format_duration(-5) == "0s"


def test_sweep_releases_only_expired_leases():
    clock = FakeClock()
    coord = FakeCoordinator()
    coord.add("gone", acquired=OTHER, board="vboard", lease_until=str(int(clock() - 1)))
    coord.add("running", acquired=OTHER, board="vboard", lease_until=str(int(clock() + 60)))
    coord.add("no-lease", acquired=OTHER, board="vboard")
    coord.add("free", board="vboard", lease_until=str(int(clock() - 100)))
    released = lease.sweep(coord, clock())
    assert [(e.place, e.holder) for e in released] == [("gone", OTHER)]
    gone = coord.place("gone")
    assert gone.acquired is None
    assert lease.LEASE_TAG not in gone.tags
    assert lease.expired_record(gone).holder == OTHER
    assert coord.place("running").acquired == OTHER
    assert coord.place("no-lease").acquired == OTHER


def test_sweep_cancels_the_reservation_of_an_expired_place():
    clock = FakeClock()
    coord = FakeCoordinator(identity=OTHER)
    coord.add("p", board="vboard")
    res = coord.reserve({"board": "vboard"})
    coord.acquire("p")
    coord.set_tags("p", {lease.LEASE_TAG: str(int(clock() + 10))})
    clock.sleep(11)
    assert [e.place for e in lease.sweep(coord, clock())] == ["p"]
    assert ("cancel", res.token) in coord.calls
    assert coord.place("p").reservation is None


def test_expired_lease_with_fake_clock_moving():
    clock = FakeClock()
    coord = FakeCoordinator()
    coord.add("p", acquired=ME, board="vboard", lease_until=str(int(clock() + 3600)))
    clock.sleep(3599)
    assert lease.sweep(coord, clock()) == []
    clock.sleep(1)
    assert [e.place for e in lease.sweep(coord, clock())] == ["p"]


def test_require_holder_accepts_own_running_lease():
    clock = FakeClock()
    coord = FakeCoordinator()
    coord.add("p", acquired=ME, lease_until=str(int(clock() + 10)))
    assert lease.require_holder(coord, "p", clock()).name == "p"


def test_require_holder_says_lease_expired_after_sweep():
    clock = FakeClock()
    coord = FakeCoordinator()
    coord.add("p", acquired=ME, board="vboard", lease_until=str(int(clock() - 5)))
    lease.sweep(coord, clock())
    with pytest.raises(FarmError, match="your lease on p expired at .* and the place was "
                                        "released"):
        lease.require_holder(coord, "p", clock())


def test_require_holder_says_lease_expired_before_sweep():
    clock = FakeClock()
    coord = FakeCoordinator()
    coord.add("p", acquired=ME, lease_until=str(int(clock() - 5)))
    with pytest.raises(FarmError, match="your lease on p expired"):
        lease.require_holder(coord, "p", clock())


def test_require_holder_names_the_other_holder():
    coord = FakeCoordinator()
    coord.add("p", acquired=OTHER, lease_until="2000000000")
    with pytest.raises(FarmError, match=f"p is held by {OTHER} until"):
        lease.require_holder(coord, "p", 0)


def test_require_holder_free_place_and_unknown_place():
    coord = FakeCoordinator()
    coord.add("p", board="vboard")
    with pytest.raises(FarmError, match="p is not reserved .*--board vboard"):
        lease.require_holder(coord, "p", 0)
    with pytest.raises(FarmError, match="unknown place 'q'"):
        lease.require_holder(coord, "q", 0)


def test_someone_elses_expiry_is_not_mine():
    clock = FakeClock()
    coord = FakeCoordinator()
    coord.add("p", board="vboard", lease_expired=f"{int(clock())}:{OTHER}")
    with pytest.raises(FarmError, match="p is not reserved"):
        lease.require_holder(coord, "p", clock())


def test_restore_gives_running_leases_back_and_ends_the_others():
    coord = FakeCoordinator()
    now = 1_000_000.0
    for name in ("mine", "ran-out", "free", "taken"):
        coord.add(name)
    coord.add("held", acquired="h/x", lease_until=str(int(now + 600)))
    record = lease.held(coord)
    assert record == {"held": {"holder": "h/x", "until": int(now + 600)}}
    record.update({"mine": {"holder": ME, "until": now + 600},
                   "ran-out": {"holder": "h/other", "until": now - 5},
                   "gone": {"holder": ME, "until": now + 600}})  # no such place any more
    coord.place("taken").acquired = "h/y"  # someone took it meanwhile
    record["taken"] = {"holder": ME, "until": now + 600}
    given = []
    back, ended = lease.restore(coord, record, now,
                                lambda holder, place: given.append((holder, place)))
    assert back == ["mine"] and given == [(ME, "mine")]
    assert lease.lease_until(coord.place("mine")) == int(now + 600)
    assert [(e.place, e.holder) for e in ended] == [("ran-out", "h/other")]
    tags = coord.place("ran-out").tags
    assert lease.LEASE_TAG not in tags
    assert tags[lease.EXPIRED_TAG] == f"{int(now - 5)}:h/other"
