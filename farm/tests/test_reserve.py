"""Reserving through the coordinator's scheduler, with a lease; releasing."""

import pytest
from farmfakes import ME, OTHER, FakeClock, FakeCoordinator

from keelfarm import lease, reserve
from keelfarm.errors import FarmError


def lab(*holders, **extra):
    coord = FakeCoordinator()
    for i, holder in enumerate(holders, 1):
        coord.add(f"vboard-{i}", acquired=holder, board="vboard", health="ok")
    for name, tags in extra.items():
        coord.add(name, **tags)
    return coord


def do(coord, clock=None, **kw):
    clock = clock or FakeClock()
    return reserve.reserve(coord, clock=clock, sleep=clock.sleep, say=lambda _m: None, **kw)


def test_reserve_takes_a_free_board_locks_it_and_writes_the_lease():
    coord = lab(OTHER, None)
    clock = FakeClock()
    got = do(coord, clock, board="vboard", duration=7200)
    assert got.place == "vboard-2"
    place = coord.place("vboard-2")
    assert place.acquired == ME
    assert lease.lease_until(place) == int(clock() + 7200)
    assert ("reserve", {"board": "vboard", "health": "ok"}) in coord.calls


def test_unknown_tag_names_the_tags_in_use():
    coord = lab(None, other={"board": "unmatched", "health": "ok"})
    with pytest.raises(FarmError, match="unknown board tag 'nope' .*unmatched, vboard"):
        do(coord, board="nope")


def test_unhealthy_boards_are_skipped():
    coord = lab()
    coord.add("vboard-1", board="vboard", health="bad")
    coord.add("vboard-2", board="vboard", health="ok")
    assert do(coord, board="vboard").place == "vboard-2"


def test_all_unhealthy_is_a_clear_error():
    coord = lab()
    coord.add("vboard-1", board="vboard", health="bad")
    with pytest.raises(FarmError, match="every board tagged board=vboard is unhealthy"):
        do(coord, board="vboard")


def test_by_name_ignores_health():
    coord = lab()
    coord.add("vboard-1", board="vboard", health="bad")
    assert do(coord, place="vboard-1").place == "vboard-1"


def test_no_wait_fails_when_everything_is_held_and_cancels():
    coord = lab(OTHER)
    with pytest.raises(FarmError, match=r"no free place matching board=vboard health=ok "
                                        rf"\(vboard-1 \({OTHER}\)\); use --wait"):
        do(coord, board="vboard")
    assert coord._reservations == {}
    assert any(c[0] == "cancel" for c in coord.calls)


def test_wait_queues_until_the_holder_releases():
    coord = lab(OTHER)
    clock = FakeClock()
    polls = []

    def holder_lets_go(c):
        polls.append(clock())
        if len(polls) == 30:
            c.place("vboard-1").acquired = None

    coord.on_poll = holder_lets_go
    got = do(coord, clock, board="vboard", wait=True)
    assert got.place == "vboard-1"
    assert coord.place("vboard-1").acquired == ME
    assert clock.slept == 29 * reserve.POLL_INTERVAL


def test_wait_with_timeout_gives_up_and_cancels():
    coord = lab(OTHER)
    with pytest.raises(FarmError, match="became free within 1m00s"):
        do(coord, board="vboard", wait=True, timeout=60)
    assert coord._reservations == {}


def test_failed_lock_cancels_the_reservation():
    coord = lab(None)

    def someone_grabs_it(c):
        c.place("vboard-1").acquired = OTHER  # between allocation and our lock
    coord.on_poll = someone_grabs_it
    # the place is allocated to us at reserve(); the lock then fails
    with pytest.raises(FarmError, match="already acquired"):
        do(coord, board="vboard")
    assert coord._reservations == {}


def test_release_ends_lease_and_reservation():
    coord = lab(None)
    got = do(coord, board="vboard")
    reserve.release(coord, got.place, 0)
    place = coord.place(got.place)
    assert place.acquired is None
    assert place.reservation is None
    assert lease.LEASE_TAG not in place.tags


def test_release_of_someone_elses_place_is_refused():
    coord = lab(OTHER)
    with pytest.raises(FarmError, match=f"vboard-1 is held by {OTHER}"):
        reserve.release(coord, "vboard-1", 0)
    assert coord.place("vboard-1").acquired == OTHER


def test_held_by_me():
    coord = lab(ME, OTHER, ME)
    assert reserve.held_by_me(coord) == ["vboard-1", "vboard-3"]


def test_reserve_many_takes_what_is_free_and_renew_moves_only_my_leases():
    coord = lab(None, OTHER, None, None)
    clock = FakeClock()
    said = []
    got = reserve.reserve_many(coord, "vboard", 4, duration=600, clock=clock,
                               sleep=clock.sleep, say=said.append)
    assert sorted(g.place for g in got) == ["vboard-1", "vboard-3", "vboard-4"]
    assert "only 3 of 4 places with board=vboard free" in said[-1]
    clock.now += 500
    before = lease.lease_until(coord.place("vboard-3"))
    reserve.renew(coord, ["vboard-1", "vboard-2"], 600, clock())
    assert lease.lease_until(coord.place("vboard-1")) == int(clock() + 600)
    assert lease.lease_until(coord.place("vboard-3")) == before  # not asked for
    assert ("set_tags", "vboard-2", {lease.LEASE_TAG: str(int(clock() + 600))}) \
        not in coord.calls  # not mine: left alone


def test_reserve_many_gives_back_what_it_took_when_interrupted():
    coord = lab(None, None)
    clock = FakeClock()
    polls = []

    def interrupt_second(c):
        polls.append(1)
        if len([x for x in c.calls if x[0] == "reserve"]) == 2:
            raise KeyboardInterrupt

    coord.on_poll = interrupt_second
    with pytest.raises(KeyboardInterrupt):
        reserve.reserve_many(coord, "vboard", 2, duration=600, clock=clock,
                             sleep=clock.sleep, say=lambda _m: None)
    assert all(p.acquired is None for p in coord.places().values())
