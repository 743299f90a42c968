"""The farm's check of whole console lines under contention (keelfarm.lineatomic)."""

from keelfarm import lineatomic


def whole(harts=2):
    return [f"ktest: line-atomic hart {h} line {i} {lineatomic.PAYLOAD}"
            for i in range(lineatomic.LINES) for h in range(harts)]


def test_every_line_whole_once_per_hart_passes():
    assert lineatomic.problems(["OpenSBI v1.1", *whole(), "ok 7 x"], nharts=2) == []


def test_a_line_split_in_two_fails_with_both_pieces():
    lines = whole()
    lines[3:4] = ["ktest: line-atomic hart 1 line 1 0123456789abcdefghijklm",
                  "nopqrstuvwxyz"]
    found = lineatomic.problems(lines, nharts=2)
    assert any("0123456789abcdefghijklm'" in p for p in found)
    assert any("'nopqrstuvwxyz'" in p for p in found)
    assert any("never came whole" in p and "hart 1 line 1" in p for p in found)


def test_bytes_of_two_harts_interleaved_fail():
    lines = whole()
    lines[0] = ("ktest: line-atomic hart 0 line 0 0123ktest: line-atomic "
                "456789abcdefghijklmnopqrstuvwxyz")
    assert any("interleaved" in p for p in lineatomic.problems(lines, nharts=2))


def test_a_lost_or_repeated_line_fails():
    lines = whole()
    assert "hart 1 line 7 came 2 times" in lineatomic.problems(lines + lines[-1:], nharts=2)
    assert any("never came whole" in p for p in lineatomic.problems(lines[:-1], nharts=2))


def test_lines_of_a_hart_the_kernel_did_not_report_fail():
    assert any("not one of the 1" in p for p in lineatomic.problems(whole(2), nharts=1))
