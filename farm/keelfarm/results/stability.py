"""Flaky or broken: pass rates with confidence intervals, crash groups, regressions.

Everything here works on result rows as `ResultsDB.results()` returns them (dicts with
test, verdict, commit, commit_time, target, started, signature fields, log_path), so it is
plain Python over data and is tested with synthetic rows.

- A pass rate is per test x target x commit, over the runs that gave a verdict (skips and
  expected failures are no trials), with a Wilson score interval: unlike the normal
  approximation it stays inside [0, 1] and is honest for small counts and for rates of
  0 or 1 — exactly the cases a farm sees (5 runs, all passed).
- A test "passes with confidence" when the interval's lower bound is at least
  `PASS_BAR` (0.8: 20 passes out of 20 are enough, 5 out of 5 are not), and "fails with
  confidence" when its upper bound is below `FAIL_BAR` (0.5: it is 95 % sure to fail
  more often than it passes — one failed run is not enough, four in a row are).  A
  regression is a test x target whose previous commit (the last one that ran it) passed
  with confidence and whose current commit fails with confidence.  "Flaky" is a rate
  strictly between 0 and 1; a newly flaky test shows as flaky, not as a regression.
- Failures are grouped by crash signature group (which leaves line numbers out, so a
  group spans commits), else by the normalized first line of the failure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from .signature import normalize

Z95 = 1.959964  # two-sided 95 %
PASS_BAR = 0.8
FAIL_BAR = 0.5
TRIAL_VERDICTS = ("passed", "failed", "error")
FAIL_VERDICTS = ("failed", "error")


def wilson(passed: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a pass rate; (0, 1) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = passed / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class PassRate:
    test: str
    target: str
    commit: str
    order: dt.datetime  # when the commit was made (or first run, if unknown)
    passed: int = 0
    trials: int = 0

    @property
    def rate(self) -> float:
        return self.passed / self.trials if self.trials else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.passed, self.trials)

    @property
    def confident_pass(self) -> bool:
        return self.trials > 0 and self.interval[0] >= PASS_BAR

    @property
    def confident_fail(self) -> bool:
        return self.trials > 0 and self.interval[1] < FAIL_BAR

    @property
    def flaky(self) -> bool:
        return 0 < self.passed < self.trials

    @property
    def state(self) -> str:
        if not self.trials:
            return "no verdict"
        if self.passed == self.trials:
            return "passes"
        return "flaky" if self.passed else "fails"


def commit_order(rows: Iterable[dict]) -> dict[str, dt.datetime]:
    """Each commit's place in time: its commit time, else its first run's start."""
    order: dict[str, dt.datetime] = {}
    for row in rows:
        when = row.get("commit_time") or row.get("started") or dt.datetime.min
        commit = row["commit"]
        if commit not in order or when < order[commit]:
            order[commit] = when
    return order


def pass_rates(rows: list[dict]) -> list[PassRate]:
    """Pass rate per test x target x commit, oldest commit first."""
    order = commit_order(rows)
    rates: dict[tuple[str, str, str], PassRate] = {}
    for row in rows:
        if row["verdict"] not in TRIAL_VERDICTS:
            continue
        key = (row["test"], row["target"], row["commit"])
        rate = rates.get(key)
        if rate is None:
            rate = rates[key] = PassRate(*key, order=order[row["commit"]])
        rate.trials += 1
        rate.passed += row["verdict"] == "passed"
    return sorted(rates.values(), key=lambda r: (r.order, r.commit, r.target, r.test))


@dataclass
class Regression:
    test: str
    target: str
    before: PassRate
    now: PassRate

    def describe(self) -> str:
        lo, hi = self.now.interval
        plo, phi = self.before.interval
        return (f"{self.test} on {self.target}: {self.before.passed}/{self.before.trials} at "
                f"{self.before.commit} (95% {plo:.2f}-{phi:.2f}) -> {self.now.passed}/"
                f"{self.now.trials} at {self.now.commit} (95% {lo:.2f}-{hi:.2f})")


def regressions(rates: list[PassRate]) -> list[Regression]:
    """Test x target pairs that passed with confidence on one commit and fail with
    confidence on the next commit that ran them."""
    history: dict[tuple[str, str], list[PassRate]] = {}
    for rate in rates:
        if rate.trials:
            history.setdefault((rate.test, rate.target), []).append(rate)
    found = []
    for (test, target), series in history.items():
        series.sort(key=lambda r: r.order)
        for before, now in zip(series, series[1:], strict=False):
            if before.confident_pass and now.confident_fail:
                found.append(Regression(test, target, before, now))
    return sorted(found, key=lambda r: (r.now.order, r.test))


@dataclass
class FailureGroup:
    """Failures that look alike across runs, commits and tests."""

    key: str
    kind: str  # a crash kind, or "failure" for a failure without a crash
    count: int = 0
    tests: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)
    commits: set[str] = field(default_factory=set)
    first_commit: str = ""
    last_commit: str = ""
    example: str = ""  # the latest full signature or message
    frames: str = ""  # the latest symbolized frames
    log_path: str = ""  # the latest console log
    _first: tuple | None = None
    _last: tuple | None = None

    def add(self, row: dict, when: tuple) -> None:
        self.count += 1
        self.tests.add(row["test"])
        self.targets.add(row["target"])
        self.commits.add(row["commit"])
        if self._first is None or when < self._first:
            self._first, self.first_commit = when, row["commit"]
        if self._last is None or when >= self._last:
            self._last, self.last_commit = when, row["commit"]
            self.example = row.get("signature") or row.get("message") or ""
            self.frames = row.get("frames") or ""
            self.log_path = row.get("log_path") or ""


def failure_key(row: dict) -> tuple[str, str]:
    """(group key, kind) of a failed result."""
    if row.get("signature_group"):
        return row["signature_group"], row.get("crash_kind") or "crash"
    return f"FAILED: {normalize(row.get('message') or '(no message)')}", "failure"


def failure_groups(rows: list[dict]) -> list[FailureGroup]:
    """Failed results grouped by signature, most frequent first."""
    order = commit_order(rows)
    groups: dict[str, FailureGroup] = {}
    for row in rows:
        if row["verdict"] not in FAIL_VERDICTS:
            continue
        key, kind = failure_key(row)
        group = groups.setdefault(key, FailureGroup(key, kind))
        # commits in commit order; within one commit, later runs are later
        group.add(row, (order[row["commit"]], row.get("started") or dt.datetime.min))
    return sorted(groups.values(), key=lambda g: (-g.count, g.key))
