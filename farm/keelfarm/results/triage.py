"""Triage: is a failure on a board the OS's fault, the board's, or chance?

A test that fails on one board may have found an OS bug, a broken board, or a flaky
test, and the health of the board must follow only the second.  So the failed tests
run again, once each, in three places: the same board, QEMU, and a sibling board of
the same kind.  What they do decides:

- fails on QEMU or on the sibling too: an **OS regression** (it is not this board);
- passes on the same board now, and nowhere else fails: **flaky**;
- fails again on the same board while the sibling passes: a **board fault**;
- anything else (no sibling free, reruns broken): **unknown**, and nobody is blamed.

The verdict goes into the database (`triage`); two board-fault verdicts in a row for a
board take it out of the pool (the CLI tags it unhealthy) until a health check passes.

Plain logic over rerun verdicts ("pass", "fail", "broken" or None: not run).
"""

from __future__ import annotations

from dataclasses import dataclass

OS_REGRESSION, BOARD_FAULT, FLAKY, UNKNOWN = "os regression", "board fault", "flaky", "unknown"
FAULTS_TO_UNHEALTHY = 2


@dataclass
class Reruns:
    board: str | None = None  # the same board
    qemu: str | None = None
    sibling: str | None = None  # another board of the same kind
    sibling_name: str | None = None


def decide(r: Reruns) -> tuple[str, str]:
    """(verdict, why) from the reruns of a board's failure."""
    if r.qemu == "fail" or r.sibling == "fail":
        where = " and ".join(w for w, v in (("QEMU", r.qemu), (r.sibling_name or "the sibling",
                                                               r.sibling)) if v == "fail")
        return OS_REGRESSION, f"fails on {where} too"
    if r.board == "pass":
        return FLAKY, "passes on a rerun on the same board, fails nowhere else"
    if r.board == "fail" and r.sibling == "pass":
        return BOARD_FAULT, (f"fails again on this board, passes on {r.sibling_name}"
                             + (" and on QEMU" if r.qemu == "pass" else ""))
    missing = [w for w, v in (("the same board", r.board), ("QEMU", r.qemu),
                              ("a sibling board", r.sibling)) if v not in ("pass", "fail")]
    return UNKNOWN, "no verdict from " + ", ".join(missing) if missing else \
        "the reruns disagree"


def should_mark_unhealthy(verdicts: list[str]) -> bool:
    """True when a board's latest triage verdicts (oldest first) end in
    FAULTS_TO_UNHEALTHY board faults in a row."""
    tail = verdicts[-FAULTS_TO_UNHEALTHY:]
    return len(tail) == FAULTS_TO_UNHEALTHY and all(v == BOARD_FAULT for v in tail)
