"""Whole console lines under contention: the kernel case
`console_lines_whole_under_contention` prints lines that nothing on the target reads
back; the farm checks them (keelfarm.lineatomic), so a torn line fails the case.  The
test-only command line word `ktest-tear-line` makes hart 0 tear one of its lines: the
check must catch it, or it could never fail."""

import pytest
from keelfarm import lineatomic
from keelfarm.ktap import Status
from ktap_boot import ktest_boot

pytestmark = pytest.mark.ktest


def case_lines(boot, run):
    case = next((c for c in run.all_cases() if c.id == lineatomic.CASE), None)
    assert case is not None and case.lineno, f"no result for {lineatomic.CASE}"
    return case, boot.lines[max(0, case.first_lineno - 1):case.lineno]


def test_a_torn_line_fails_the_console_lines_case(keel_boot, board):
    boot, run = ktest_boot(keel_boot, board.default_smp, append="ktest ktest-tear-line")
    case, lines = case_lines(boot, run)
    assert case.status == Status.PASS, "the kernel cannot see a torn line itself"
    problems = lineatomic.problems(lines, boot.console.banner.nharts)
    assert "torn or interleaved line: 'nopqrstuvwxyz'" in problems, problems
    assert any("never came whole, e.g. hart 0 line 3" in p for p in problems), problems
