"""Board health in place tags: two board faults in a row make a board unhealthy."""

import pytest
from farmfakes import FakeCoordinator

from keelfarm import health
from keelfarm.errors import BootError, FarmError


def test_two_board_faults_in_a_row_make_it_unhealthy():
    coord = FakeCoordinator()
    coord.add("p", health="ok")
    note = health.record_failure(coord, "p", BootError("uboot", "no prompt"))
    assert "failure 1 of 2" in note
    assert health.health(coord.place("p")) == "ok"
    note = health.record_failure(coord, "p", BootError("uboot", "no prompt"))
    assert "now tagged unhealthy" in note
    assert health.health(coord.place("p")) == "bad"
    assert health.failures(coord.place("p")) == 2


def test_a_passing_boot_ends_the_run_of_failures():
    coord = FakeCoordinator()
    coord.add("p", health="ok", health_failures="1")
    assert health.record_pass(coord, "p") is None
    place = coord.place("p")
    assert health.health(place) == "ok"
    assert health.failures(place) == 0
    assert "health_failures" not in place.tags


def test_only_a_health_check_makes_an_unhealthy_board_healthy():
    coord = FakeCoordinator()
    coord.add("p", health="bad", health_failures="2")
    assert health.record_pass(coord, "p") == ("p stays unhealthy until its health check "
                                              "passes (farm health p: boot + ktest)")
    assert health.health(coord.place("p")) == "bad"
    assert health.failures(coord.place("p")) == 0
    health.record_check(coord, "p")
    assert health.health(coord.place("p")) == "ok"


@pytest.mark.parametrize("stage", ["power", "serial", "uboot"])
def test_a_pdu_serial_line_or_firmware_that_fails_counts_against_the_board(stage):
    coord = FakeCoordinator()
    coord.add("p", health="ok")
    assert "failure 1 of 2" in health.record_failure(coord, "p", BootError(stage, "x"))
    assert "now tagged unhealthy" in health.record_failure(coord, "p", BootError(stage, "x"))
    assert health.health(coord.place("p")) == "bad"


def test_image_faults_do_not_count_against_the_board():
    coord = FakeCoordinator()
    coord.add("p", health="ok")
    for error in (BootError("panic", "KEEL PANIC: x at 0x1"), BootError("tftp", "no file"),
                  BootError("online", "harts missing"), FarmError("other"), OSError("x"),
                  BootError("image", "U-Boot refused the image: Bad Linux RISCV Image "
                                     "magic!"),
                  BootError("banner", "no banner"), BootError("reset", "U-Boot went")):
        assert health.record_failure(coord, "p", error) is None
    assert health.failures(coord.place("p")) == 0
    assert health.health(coord.place("p")) == "ok"


def test_untagged_place_is_unknown():
    coord = FakeCoordinator()
    coord.add("p", health_failures="junk")
    assert health.health(coord.place("p")) == "unknown"
    assert health.failures(coord.place("p")) == 0
