"""Whole console lines under contention: the check behind the kernel case
`console_lines_whole_under_contention`.

The kernel has every hart print LINES lines at once, each
`ktest: line-atomic hart <h> line <i> <PAYLOAD>`; nothing on the target reads them
back, so the farm does: between the case's first console line and its result line,
every line that mentions `line-atomic` must be exactly one such line, and each
(hart, line) pair must come exactly once for every hart the kernel reports.  A torn
line (split by a newline), an interleaved one (another hart's bytes inside) or a lost
one fails the case.
"""

from __future__ import annotations

import re

CASE = "console_lines_whole_under_contention"
LINES = 8
PAYLOAD = "0123456789abcdefghijklmnopqrstuvwxyz"
MARK = "line-atomic"
WHOLE_RE = re.compile(rf"^ktest: {MARK} hart (\d+) line (\d+) {PAYLOAD}$")


def problems(lines: list[str], nharts: int) -> list[str]:
    """What is wrong with the `line-atomic` lines among `lines` when `nharts` harts
    each printed LINES of them (an empty list when every line came out whole)."""
    seen: dict[tuple[int, int], int] = {}
    out = []
    for text in lines:
        text = text.rstrip("\r")
        if MARK not in text and not _fragment(text):
            continue
        m = WHOLE_RE.match(text)
        if m is None:
            out.append(f"torn or interleaved line: {text!r}")
            continue
        key = (int(m.group(1)), int(m.group(2)))
        seen[key] = seen.get(key, 0) + 1
    want = {(h, i) for h in range(nharts) for i in range(LINES)}
    missing = sorted(want - set(seen))
    if missing:
        out.append(f"{len(missing)} lines never came whole, e.g. hart {missing[0][0]} "
                   f"line {missing[0][1]}")
    out += [f"hart {h} line {i} came {n} times" for (h, i), n in sorted(seen.items()) if n > 1]
    out += [f"a line from hart {h}, which is not one of the {nharts}"
            for h, _ in sorted(set(seen) - want)]
    return out


def _fragment(text: str) -> bool:
    """A piece of a torn line that lost its `line-atomic` word: part of the payload."""
    piece = text.strip()
    return len(piece) >= 4 and piece in PAYLOAD
