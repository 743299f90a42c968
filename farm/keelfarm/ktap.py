"""Streaming KTAP parser.

The target prints KTAP on its console, mixed with other log lines, and may die at any
point.  The parser is therefore fed one console line at a time (`KtapParser.feed`), keeps
nothing but the open nesting levels, and turns whatever it has into a `KtapRun` when the
input ends (`KtapParser.finish`).  A run that stopped early is not an exception: the cases
that never reported become `Status.MISSING` cases and the run carries a `Problem` that says
after which line the output stopped, so a test report can fail exactly those cases.

What is understood (KTAP version 1):
- `KTAP version 1` (`TAP version N` is accepted too) opens a document or a subtest;
- `1..N` is the plan (at the start, or at the end as TAP allows);
- `ok N name`, `not ok N name`, with an optional `- ` before the name and an optional
  `# SKIP reason` or `# TODO reason` directive;
- subtests are indented by four spaces per level, may be announced by `# Subtest: name`,
  and end with their parent's result line one level out;
- `# text` lines are diagnostics of the next result at their level;
- `Bail out! reason` ends the run;
- every other line (kernel log lines, firmware output) is kept only as context.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

INDENT = 4

_VERSION_RE = re.compile(r"^(?:K?TAP) version (\d+)\s*$")
_PLAN_RE = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")
_RESULT_RE = re.compile(r"^(not ok|ok)(?=\s|$)\s*(\d+)?\s*(?:-\s+)?(.*)$")
_SUBTEST_RE = re.compile(r"^#\s*Subtest:\s*(.*?)\s*$")
_BAIL_RE = re.compile(r"^Bail out!\s*(.*)$")
_DIRECTIVE_RE = re.compile(r"^(SKIP|TODO)\b\s*(.*)$", re.IGNORECASE)
_NAME_DIRECTIVE_RE = re.compile(r"^(.*?)(?:\s+#\s*(.*))?$")


class Status(enum.Enum):
    PASS = "ok"
    FAIL = "not ok"
    SKIP = "skip"
    TODO = "todo"
    MISSING = "missing"


@dataclass
class Problem:
    """Something wrong with the shape of the output, with the console line it was seen at."""

    lineno: int
    message: str

    def __str__(self) -> str:
        return f"line {self.lineno}: {self.message}"


@dataclass
class Case:
    """One test point.  `path` holds the names from the top level down to this case."""

    number: int | None
    name: str
    status: Status
    reason: str = ""  # text of a SKIP/TODO directive or why the case is missing
    diagnostics: list[str] = field(default_factory=list)
    lineno: int | None = None  # console line of the result line; None if it never came
    first_lineno: int = 0  # first console line of this case's output (diagnostics, subtests)
    children: list[Case] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of its own subtest level
    path: tuple[str, ...] = ()  # set when the run is finished

    @property
    def id(self) -> str:
        return "/".join(self.path)

    @property
    def failed(self) -> bool:
        """True if the case must be reported as a failure."""
        return self.status in (Status.FAIL, Status.MISSING) or bool(self.problems)

    def walk(self) -> Iterator[Case]:
        """This case and all its subtests, in console order (subtests before parents)."""
        for child in self.children:
            yield from child.walk()
        yield self


@dataclass
class KtapRun:
    """A parsed document: the top-level cases and what was wrong with the output."""

    version: int | None
    plan: int | None
    cases: list[Case]
    problems: list[Problem]
    last_lineno: int  # last console line fed
    last_ktap: tuple[int, str] | None  # (line, text) of the last KTAP line seen

    @property
    def ok(self) -> bool:
        return not self.problems and not any(c.failed for c in self.all_cases())

    def all_cases(self) -> Iterator[Case]:
        for case in self.cases:
            yield from case.walk()


@dataclass
class _Level:
    """One open nesting level: a document (depth 0) or a subtest."""

    depth: int
    start_lineno: int
    name: str | None = None
    version: int | None = None
    plan: int | None = None
    plan_lineno: int = 0
    cases: list[Case] = field(default_factory=list)
    numbers: dict[int, int] = field(default_factory=dict)  # number -> line it was seen at
    expected: int = 1
    pending: list[str] = field(default_factory=list)  # diagnostics for the next result
    next_first: int = 0  # first console line of the next case
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_content(self) -> bool:
        return bool(self.cases) or self.plan is not None


class KtapParser:
    """Feed console lines with `feed`; call `finish` once when the output has ended."""

    def __init__(self) -> None:
        self._lineno = 0
        self._base = 0  # indentation of the top-level document
        self._stack: list[_Level] = []
        self._problems: list[Problem] = []
        self._bailed = False
        self._last_ktap: tuple[int, str] | None = None
        self._run: KtapRun | None = None

    @property
    def started(self) -> bool:
        """True once the top-level `KTAP version` line has been seen."""
        return bool(self._stack)

    def feed(self, line: str) -> None:
        """Take the next console line (with or without its line ending)."""
        if self._run is not None:
            raise RuntimeError("KtapParser.feed() after finish()")
        self._lineno += 1
        text = line.rstrip("\r\n")
        body = text.lstrip(" ")
        indent = len(text) - len(body)
        body = body.rstrip()
        if self._bailed:
            return
        if not self._stack:
            m = _VERSION_RE.match(body)
            if m:
                self._base = indent
                top = _Level(depth=0, start_lineno=self._lineno, version=int(m.group(1)))
                top.next_first = self._lineno + 1
                self._stack.append(top)
                self._last_ktap = (self._lineno, text)
            return
        kind, match = _classify(body)
        if kind is None:
            return  # an interleaved log line: context only
        offset = indent - self._base
        if kind == "diag":
            self._diagnostic(body, max(0, offset) // INDENT)
            return
        self._last_ktap = (self._lineno, text)
        if offset < 0 or offset % INDENT:
            self._problem(f"KTAP line with unexpected indentation: {text.strip()!r}")
        depth = max(0, round(offset / INDENT))
        getattr(self, "_" + kind)(depth, match)

    # -- structure -------------------------------------------------------------------

    def _problem(self, message: str, level: _Level | None = None) -> None:
        p = Problem(self._lineno, message)
        self._problems.append(p)
        if level is not None and level.depth > 0:
            level.problems.append(p)

    def _open_to(self, depth: int) -> _Level:
        """Make `depth` the innermost open level, opening subtest levels as needed."""
        if depth > len(self._stack):
            self._problem(f"KTAP line nested {depth - len(self._stack) + 1} levels deeper "
                          "than the innermost open test")
        while len(self._stack) <= depth:
            self._stack.append(_Level(depth=len(self._stack), start_lineno=self._lineno,
                                      next_first=self._lineno))
        return self._stack[depth]

    def _close_below(self, depth: int, stopped: str | None = None) -> None:
        """Close every level deeper than `depth`: their parent result line never came."""
        while len(self._stack) > depth + 1:
            self._orphan(self._stack.pop(), stopped)

    def _begin_subtest(self, depth: int) -> _Level:
        """A version or `# Subtest:` line: reuse an empty level or start a new one."""
        self._close_below(depth)
        if depth < len(self._stack) and self._stack[depth].has_content:
            self._orphan(self._stack.pop(), None)
        return self._open_to(depth)

    def _version(self, depth: int, m: re.Match) -> None:
        if depth == 0:
            self._problem("second KTAP version line at the top level")
            return
        self._begin_subtest(depth).version = int(m.group(1))

    def _subtest(self, depth: int, m: re.Match) -> None:
        if depth == 0:
            self._stack[0].pending.append(f"Subtest: {m.group(1)}")
            return
        self._begin_subtest(depth).name = m.group(1)

    def _plan(self, depth: int, m: re.Match) -> None:
        count = int(m.group(1))
        self._close_below(depth)
        level = self._open_to(depth)
        if level.plan is not None:
            self._problem(f"second plan 1..{count} (first was 1..{level.plan} at line "
                          f"{level.plan_lineno})", level)
            return
        level.plan, level.plan_lineno = count, self._lineno
        if not level.cases:
            level.next_first = self._lineno + 1
        if len(level.cases) > count:
            self._problem(f"plan 1..{count} given after {len(level.cases)} results", level)

    def _bail(self, depth: int, m: re.Match) -> None:
        self._problem(f"target bailed out: {m.group(1) or 'no reason given'}")
        self._bailed = True

    def _diagnostic(self, body: str, depth: int) -> None:
        depth = min(depth, len(self._stack) - 1)
        self._stack[depth].pending.append(body[1:].strip())

    def _result(self, depth: int, m: re.Match) -> None:
        self._close_below(depth + 1)
        child = self._stack.pop() if len(self._stack) == depth + 2 else None
        level = self._open_to(depth)
        number = int(m.group(2)) if m.group(2) is not None else None
        name, status, reason = _split_description(m.group(1), m.group(3))
        self._check_number(level, number)
        case = Case(number=number, name=name or f"#{number}", status=status, reason=reason,
                    diagnostics=level.pending, lineno=self._lineno,
                    first_lineno=level.next_first)
        if child is not None:
            self._adopt(case, child, None)
        level.pending = []
        level.next_first = self._lineno + 1
        level.cases.append(case)

    def _check_number(self, level: _Level, number: int | None) -> None:
        if number is None:
            self._problem("result line without a test number", level)
            return
        if number in level.numbers:
            self._problem(f"duplicate test number {number} (first at line "
                          f"{level.numbers[number]})", level)
        elif number != level.expected:
            self._problem(f"test number {number} out of order, expected {level.expected}",
                          level)
        if level.plan is not None and number > level.plan:
            self._problem(f"test number {number} beyond plan 1..{level.plan}", level)
        level.numbers.setdefault(number, self._lineno)
        level.expected = max(level.expected, number + 1)

    def _orphan(self, level: _Level, stopped: str | None) -> None:
        """A subtest ended without its parent's result line: it becomes a MISSING case."""
        parent = self._stack[-1]
        name = level.name or f"subtest@{level.start_lineno}"
        reason = (f"subtest {name!r} (from line {level.start_lineno}) has no result line"
                  + (f": {stopped}" if stopped else ""))
        self._problem(reason, parent)
        case = Case(number=parent.expected, name=name, status=Status.MISSING, reason=reason,
                    diagnostics=parent.pending, first_lineno=parent.next_first)
        self._adopt(case, level, stopped)
        parent.pending = []
        parent.numbers.setdefault(parent.expected, level.start_lineno)
        parent.expected += 1
        parent.cases.append(case)

    def _adopt(self, case: Case, level: _Level, stopped: str | None) -> None:
        """Make a closed subtest level the children of its parent case."""
        self._check_plan(level, stopped)
        case.children = level.cases
        case.problems = level.problems

    def _check_plan(self, level: _Level, stopped: str | None) -> None:
        """Report a missing plan or missing results; unreported cases become MISSING."""
        where = f"subtest {level.name!r}" if level.depth and level.name else (
            "subtest" if level.depth else "top level")
        if level.plan is None:
            self._problem(f"{where} has no plan" + (f"; {stopped}" if stopped else ""), level)
            return
        missing = [n for n in range(1, level.plan + 1) if n not in level.numbers]
        if not missing:
            return
        why = stopped or f"plan 1..{level.plan} but {len(level.numbers)} results"
        self._problem(f"{where}: {len(missing)} of {level.plan} planned results missing: "
                      f"{why}", level)
        for n in missing:
            level.cases.append(Case(number=n, name=f"#{n}", status=Status.MISSING,
                                    reason=f"case {n} of {level.plan} never reported: {why}",
                                    diagnostics=level.pending, first_lineno=level.next_first))
            level.numbers[n] = self._lineno
            level.pending = []

    # -- end of input ----------------------------------------------------------------

    def finish(self, reason: str = "") -> KtapRun:
        """End the input.  `reason` says why it ended (e.g. "QEMU exited") for messages.

        Returns the run; calling it again returns the same run.
        """
        if self._run is not None:
            return self._run
        if not self._stack:
            self._problems.append(Problem(self._lineno, "no KTAP output (no 'KTAP version' "
                                          "line)" + (f"; {reason}" if reason else "")))
            self._run = KtapRun(None, None, [], self._problems, self._lineno, None)
            return self._run
        top = self._stack[0]
        truncated = len(self._stack) > 1 or self._bailed or (
            top.plan is not None and len(top.numbers) < top.plan)
        stopped = self._stop_text(reason) if truncated else None
        self._close_below(0, stopped)
        truncated = truncated or (top.plan is not None and len(top.numbers) < top.plan)
        self._check_plan(top, self._stop_text(reason) if truncated else None)
        for case in top.cases:
            _assign_paths(case, ())
        self._run = KtapRun(top.version, top.plan, top.cases, self._problems, self._lineno,
                            self._last_ktap)
        return self._run

    def _stop_text(self, reason: str) -> str:
        if self._last_ktap is None:
            where = "output stopped"
        else:
            lineno, text = self._last_ktap
            where = f"output stopped after line {lineno} ({text.strip()!r})"
        if self._bailed:
            where += " when the target bailed out"
        return f"{where}; {reason}" if reason else where


def _classify(body: str) -> tuple[str | None, re.Match | None]:
    for kind, regex in (("version", _VERSION_RE), ("plan", _PLAN_RE), ("result", _RESULT_RE),
                        ("subtest", _SUBTEST_RE), ("bail", _BAIL_RE)):
        m = regex.match(body)
        if m:
            return kind, m
    if body.startswith("#"):
        return "diag", None
    return None, None


def _split_description(verdict: str, rest: str) -> tuple[str, Status, str]:
    m = _NAME_DIRECTIVE_RE.match(rest.strip())
    name, comment = m.group(1).strip(), (m.group(2) or "").strip()
    status = Status.PASS if verdict == "ok" else Status.FAIL
    d = _DIRECTIVE_RE.match(comment)
    if d:
        status = Status.SKIP if d.group(1).upper() == "SKIP" else Status.TODO
        return name, status, d.group(2).strip()
    return name, status, comment


def _assign_paths(case: Case, parent: tuple[str, ...]) -> None:
    case.path = parent + (case.name,)
    for child in case.children:
        _assign_paths(child, case.path)


def parse(lines, reason: str = "") -> KtapRun:
    """Parse a complete output: an iterable of lines or one string."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    parser = KtapParser()
    for line in lines:
        parser.feed(line)
    return parser.finish(reason)
