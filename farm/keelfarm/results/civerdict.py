"""What a CI run of one commit says: a verdict per suite x place, and which failures
are regressions.

A commit's CI runs each suite once on each place, so one run is all the evidence there
is; the comparison is therefore with history, per suite, test and kind of board:

- a **regression** is a test that fails now and passed on the last commit that ran the
  same suite on the same kind of board — and is not known to be flaky;
- a test is **known flaky** when its earlier results on that kind of board (the last
  `FLAKY_WINDOW` of them) gave both verdicts on one commit, or went from pass to fail
  and back and again (two flips from commit to commit); it is reported apart, not as a
  regression: one more failure of a flaky test says nothing.  A test that went bad once
  and stayed bad is not flaky but failing;
- a test that failed on the last commit too, or has no earlier result, is **failing**:
  shown, but no regression either;
- a failure on farm boards only, whose triage (triage.py: reruns on the board, QEMU and
  a sibling) calls it a board fault or chance on every board it failed on, is **not the
  OS's**: listed with the triage verdicts, never a regression.  One broken board must
  not turn a commit red, nor hide that it is broken.

Plain Python over result rows as `ResultsDB.results()` gives them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .stability import FAIL_VERDICTS, TRIAL_VERDICTS
from .triage import BOARD_FAULT
from .triage import FLAKY as TRIAGED_FLAKY

FLAKY_WINDOW = 50
REGRESSION, FLAKY, FAILING = "regression", "known flaky", "failing"
NOT_THE_OS = "not the OS"
NOT_THE_OS_VERDICTS = (BOARD_FAULT, TRIAGED_FLAKY)  # triage verdicts that absolve the OS


@dataclass
class Cell:
    """One suite on one place."""

    verdict: str = "-"  # pass, fail, broken, or - (no run / no tests)
    passed: int = 0
    tests: int = 0
    note: str = ""
    triage: str = ""  # the triage verdict of a failed run on a farm board

    def text(self) -> str:
        if self.verdict == "-":
            return "-"
        word = "FAIL" if self.verdict == "fail" else self.verdict
        return f"{word} {self.passed}/{self.tests}" if self.tests else word


@dataclass
class Finding:
    kind: str  # REGRESSION, FLAKY, FAILING or NOT_THE_OS
    suite: str
    target: str
    test: str
    detail: str  # the failure's signature or message
    before: str | None = None  # the commit it passed on (a regression)
    history: str = ""  # e.g. "7/10 passed" (known flaky)
    places: tuple[str, ...] = ()  # where it failed now
    triaged: str = ""  # NOT_THE_OS: the triage verdicts, e.g. "vboard-1: board fault"


@dataclass
class Verdict:
    commit: str
    places: list[str]
    suites: list[str]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (suite, place)
    findings: list[Finding] = field(default_factory=list)
    triages: list[str] = field(default_factory=list)  # one line per triaged run

    def apply_triage(self, suite: str, place: str, verdict: str) -> None:
        """Triage called the failure of `suite` on farm board `place` `verdict`.  A
        finding that failed nowhere but on boards whose triage absolves the OS is
        NOT_THE_OS from then on."""
        self.cells[(suite, place)].triage = verdict
        for f in self.findings:
            if f.suite != suite or f.kind == NOT_THE_OS or not f.places:
                continue
            said = {p: self.cells[(suite, p)].triage for p in f.places
                    if (suite, p) in self.cells}
            if len(said) == len(f.places) and all(v in NOT_THE_OS_VERDICTS
                                                  for v in said.values()):
                f.kind = NOT_THE_OS
                f.triaged = ", ".join(f"{p}: {v}" for p, v in sorted(said.items()))

    @property
    def regressions(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == REGRESSION]

    def table(self) -> str:
        header = ["SUITE", *self.places]
        rows = [header] + [[s, *(self.cells.get((s, p), Cell()).text() for p in self.places)]
                           for s in self.suites]
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                         for r in rows)

    def report(self) -> str:
        lines = [f"commit {self.commit}", self.table()]
        for kind, title in ((REGRESSION, "regressions (passed on the last commit that ran "
                                         "the suite, fail now)"),
                            (FLAKY, "known flaky, failing now (not counted)"),
                            (FAILING, "failing, not a regression (failed before too, or "
                                      "no earlier result)"),
                            (NOT_THE_OS, "not the OS: triage blames the board or chance "
                                         "(not counted)")):
            found = [f for f in self.findings if f.kind == kind]
            if not found:
                continue
            lines.append(f"{title}:")
            for f in found:
                extra = f" ({f.triaged})" if f.triaged else \
                    f" (passed on {f.before})" if f.before else (
                        f" ({f.history})" if f.history else "")
                lines.append(f"  {f.suite} on {f.target}: {f.test}{extra}: {f.detail}")
        if self.triages:
            lines += ["triage of the failures on farm boards:",
                      *(f"  {t}" for t in self.triages)]
        lines.append(f"{len(self.regressions)} regression(s)")
        return "\n".join(lines)


def cell_for(run: dict | None) -> Cell:
    if run is None:
        return Cell()
    return Cell(verdict=run["verdict"], passed=run["passed"],
                tests=run["tests"] - run["skipped"], note=run.get("note") or "")


def _when(row: dict) -> dt.datetime:
    return row.get("started") or dt.datetime.min


def known_flaky(rows: list[dict]) -> bool:
    """Both verdicts on one commit, or two flips between commits (rows oldest first)."""
    outcomes: dict[str, set[bool]] = {}
    for r in rows:
        outcomes.setdefault(r["commit"], set()).add(r["verdict"] == "passed")
    if any(len(o) > 1 for o in outcomes.values()):
        return True
    series = [next(iter(o)) for o in outcomes.values()]  # dicts keep first-run order
    return sum(a != b for a, b in zip(series, series[1:], strict=False)) >= 2


def classify(suite: str, target: str, commit: str, now: list[dict],
             history: list[dict]) -> list[Finding]:
    """Findings for the failed results `now` (of `commit`) of `suite` on `target`, by
    `history` (every stored result of the suite on that target; rows of `commit`
    itself are left out)."""
    earlier = sorted((r for r in history if r["commit"] != commit
                      and r["verdict"] in TRIAL_VERDICTS), key=_when)
    last_commit = earlier[-1]["commit"] if earlier else None
    findings, seen = [], set()
    for row in now:
        if row["verdict"] not in FAIL_VERDICTS or row["test"] in seen:
            continue
        seen.add(row["test"])
        places = tuple(sorted({r["place"] for r in now if r["test"] == row["test"]
                               and r["verdict"] in FAIL_VERDICTS and r.get("place")}))
        mine = [r for r in earlier if r["test"] == row["test"]][-FLAKY_WINDOW:]
        passes = sum(r["verdict"] == "passed" for r in mine)
        detail = row.get("signature") or row.get("message") or row["verdict"]
        if known_flaky(mine):
            findings.append(Finding(FLAKY, suite, target, row["test"], detail,
                                    history=f"{passes}/{len(mine)} passed before",
                                    places=places))
            continue
        on_last = [r for r in mine if r["commit"] == last_commit]
        if on_last and all(r["verdict"] == "passed" for r in on_last):
            findings.append(Finding(REGRESSION, suite, target, row["test"], detail,
                                    before=last_commit, places=places))
        else:
            findings.append(Finding(FAILING, suite, target, row["test"], detail,
                                    places=places))
    return findings
