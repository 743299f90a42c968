"""Board health, kept in place tags so every client and the scheduler see it.

``health=ok`` is what `farm reserve` asks the coordinator for, so a board without it is
never handed out.  Each boot that fails for the board's sake (no U-Boot prompt: see
errors.BootError.board_fault) adds one to ``health_failures``; at FAILURE_LIMIT in a
row the board becomes ``health=bad`` (triage's board-fault verdicts do that too).  A
boot that reaches the top of its strategy ends the run of failures and keeps a healthy
board healthy, but one boot proves little about a board already found bad: only a
health check (`farm health`: boot + ktest, every case passing and the board powered
off by the kernel) tags it ``health=ok`` again.
"""

from __future__ import annotations

from .errors import BootError

HEALTH_TAG = "health"
FAILURES_TAG = "health_failures"
OK = "ok"
BAD = "bad"
FAILURE_LIMIT = 2


def health(place) -> str:
    """'ok', 'bad' or 'unknown' (a place nobody tagged yet)."""
    return place.tags.get(HEALTH_TAG) or "unknown"


def failures(place) -> int:
    try:
        return int(place.tags.get(FAILURES_TAG, "0"))
    except ValueError:
        return 0


def record_pass(coord, name: str) -> str | None:
    """A boot on the board passed.  Returns a sentence for the user when the board is
    tagged unhealthy and stays so (only `record_check` brings it back), else None."""
    if health(coord.place(name)) == BAD:
        coord.set_tags(name, {FAILURES_TAG: ""})
        return (f"{name} stays unhealthy until its health check passes "
                f"(farm health {name}: boot + ktest)")
    coord.set_tags(name, {HEALTH_TAG: OK, FAILURES_TAG: ""})
    return None


def record_check(coord, name: str) -> None:
    """The board passed its health check (boot + ktest): healthy, failures forgotten."""
    coord.set_tags(name, {HEALTH_TAG: OK, FAILURES_TAG: ""})


def record_failure(coord, name: str, error: Exception) -> str | None:
    """Count ``error`` against the board if it is the board's fault.  Returns a sentence
    for the user when the board's state changed, else None."""
    if not isinstance(error, BootError) or not error.board_fault:
        return None
    count = failures(coord.place(name)) + 1
    tags = {FAILURES_TAG: str(count)}
    if count >= FAILURE_LIMIT:
        tags[HEALTH_TAG] = BAD
    coord.set_tags(name, tags)
    if count >= FAILURE_LIMIT:
        return (f"{name} failed {count} boots in a row and is now tagged unhealthy; "
                f"reserve skips it until its health check passes (farm health {name})")
    return f"{name}: failure {count} of {FAILURE_LIMIT} before it is tagged unhealthy"


def mark_bad(coord, name: str) -> None:
    """Take a board out of the pool (triage found it at fault); a passing health check
    (`farm reserve --place NAME`, `farm health NAME`) brings it back."""
    coord.set_tags(name, {HEALTH_TAG: BAD})
