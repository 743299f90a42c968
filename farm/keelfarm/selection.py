"""What runs on each place, said once: in the environment file.

`make test` (tests/run.sh) and `farm ci` both run the suites once per commit on every
place, and some tests do not belong there: campaign-length suites, the slow soak on
the slower targets, QEMU-only tests on a board (a board has no window on its harts),
benchmark and fuzz runs on a vboard (QEMU again, without instruction counting).  Each
environment states this in its main target's options:

    options:
      keel_per_commit:
        not_marked: [slow, campaign]                     # markers left out
        deselect: [tests/test_boot.py::test_x]           # tests left out by node id

and `--keel-per-commit` (the pytest plugin's option, which both pass) applies it:
the markers are folded into pytest's own `-m` expression — so a KTAP test left out
never boots while pytest collects — and the node ids join `--deselect`.  A campaign
or a bisection runs what it is asked for, and does not pass the option.

A test the place cannot run at all (a board has no window on its harts) is another
matter: `keel_cannot_run: [node ids]` leaves it out of every run there — make test's,
farm ci's, a campaign's, a triage's — or a `--suite boot` campaign on boards would
fail on every run for want of QEMU's monitor, and triage would call that the OS.
"""

from __future__ import annotations

import re

OPTION = "keel_per_commit"
CANNOT_RUN = "keel_cannot_run"
_MARKER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SelectionError(ValueError):
    """The environment's keel_per_commit option is malformed (one line)."""


def per_commit(options: dict | None) -> tuple[list[str], list[str]]:
    """(markers, node ids) a per-commit run leaves out, from a target's options."""
    value = (options or {}).get(OPTION) or {}
    if not isinstance(value, dict):
        raise SelectionError(f"{OPTION} must be a mapping with not_marked and deselect")
    unknown = set(value) - {"not_marked", "deselect"}
    if unknown:
        raise SelectionError(f"{OPTION}: unknown key(s) {', '.join(sorted(unknown))} "
                             "(not_marked, deselect)")
    marks = value.get("not_marked") or []
    tests = value.get("deselect") or []
    for name, items in (("not_marked", marks), ("deselect", tests)):
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise SelectionError(f"{OPTION}.{name} must be a list of names")
    bad = [m for m in marks if not _MARKER.fullmatch(m)]
    if bad:
        raise SelectionError(f"{OPTION}.not_marked: {bad[0]!r} is not a marker name")
    return list(marks), list(tests)


def cannot_run(options: dict | None) -> list[str]:
    """Node ids of the tests the place cannot run, from a target's options."""
    tests = (options or {}).get(CANNOT_RUN) or []
    if not isinstance(tests, list) or not all(isinstance(t, str) and t for t in tests):
        raise SelectionError(f"{CANNOT_RUN} must be a list of test node ids")
    return list(tests)


def mark_expression(asked: str | None, not_marked: list[str]) -> str | None:
    """pytest's -m expression `asked` with the markers `not_marked` left out."""
    if not not_marked:
        return asked or None
    leave_out = " and ".join(f"not {m}" for m in not_marked)
    return f"({asked}) and {leave_out}" if asked else leave_out
