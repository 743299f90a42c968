"""mksh's own regression suite (`check.t`) against a Keel target.

The suite is a text file of tests in mksh's `check.t` format: `field: value` lines, a
value continued on lines that start with a tab, `---` ending each test.  This module
reads that format into `CheckTest`s, decides which tests apply to the shell under test
(categories, a controlling terminal, perl), turns each test into the lines a host types
at a logged-in Keel shell, reads the framed result back from the console and judges it
as the suite's own harness would (exact text, or a pattern; the exit status, or an
expression over it).

The on-target half is `/bin/mkshcheck-run` (tests/target/mkshcheck-run): it makes the
scratch directory, the directories and links of the test's file setup, and runs the
shell under test with the test's environment, input and time limit, then prints status,
stdout and stderr in hex between markers so that nothing the terminal does can change
them.  Everything the host types is printable ASCII: file contents travel as `print`
arguments with octal escapes for every other byte.

Text is handled as latin-1 `str` throughout: one character per byte, so the suite's
non-UTF-8 bytes survive parsing, typing and comparison unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# How each field's value is read (the suite's own table): m = may span lines,
# M = several fields split by the value's first character, p = takes a parameter
# line, s = may be given several times.
FIELDS = {
    "name": "r", "description": "m", "arguments": "M", "script": "m", "stdin": "m",
    "perl-setup": "m", "perl-cleanup": "m", "env-setup": "M", "file-setup": "mps",
    "file-result": "mps", "time-limit": "", "expected-fail": "", "expected-exit": "",
    "expected-stdout": "m", "expected-stdout-pattern": "m", "expected-stderr": "m",
    "expected-stderr-pattern": "m", "category": "m", "need-ctty": "", "need-pass": "",
}
UTF8_LOCALE = "en_US.UTF-8"   # what the suite's harness puts for @utflocale@
FIELD_RE = re.compile(r"^([-\w]+):\s*(|\S|\S.*\S)\s*$", re.ASCII)
EXIT_EXPR_RE = re.compile(r"^(?:[\s\d<>+=*%/&|!()-]|\b[wse]\b)+$", re.ASCII)


class CheckFormatError(ValueError):
    """check.t text that the suite's own harness would also refuse."""


@dataclass
class FileSetup:
    kind: str           # file, dir or symlink
    mode: int
    name: str
    data: str           # file contents or link target (latin-1 text)


@dataclass
class CheckTest:
    name: str
    lineno: int
    fields: dict[str, str] = field(default_factory=dict)
    files: list[FileSetup] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        return self.fields.get(key)

    @property
    def arguments(self) -> list[str]:
        """The argument list: the value split by its first character (trailing empty
        fields dropped, as the harness's split does)."""
        value = self.fields.get("arguments")
        if value is None:
            return []
        parts = value[1:].split(value[0])
        while parts and parts[-1] == "":
            parts.pop()
        return parts

    @property
    def env_changes(self) -> list[tuple[str, str | None]]:
        """(name, value) to set, (name, None) to remove, in order."""
        value = self.fields.get("env-setup")
        if value is None:
            return []
        out: list[tuple[str, str | None]] = []
        for item in value.split(value[0]):
            eq = item.find("=")
            if item == "" or eq == 0:
                continue
            out.append((item, None) if eq < 0 else (item[:eq], item[eq + 1:]))
        return out

    @property
    def need_ctty(self) -> bool:
        return self.fields.get("need-ctty") == "yes"

    @property
    def need_pass(self) -> bool:
        return self.fields.get("need-pass", "yes") == "yes"

    @property
    def expected_fail(self) -> bool:
        return self.fields.get("expected-fail") == "yes"

    @property
    def time_limit(self) -> int | None:
        value = self.fields.get("time-limit")
        return int(value) if value is not None else None


def _file_param(value: str, where: str) -> tuple[str, str, str, str]:
    """type, mode, name and the rest of a file-setup value (its parameter line with
    the data right after the closing quote)."""
    m = re.match(r"^[ \t]*(\S+)[ \t]+(\S+)[ \t]+([^ \t].*)", value, re.S)
    if not m:
        raise CheckFormatError(f"{where}: bad parameter line for file-setup")
    kind, mode, rest = m.groups()
    if kind not in ("file", "dir", "symlink"):
        raise CheckFormatError(f"{where}: bad file type for file-setup: {kind}")
    if not re.fullmatch(r"\d+", mode):
        raise CheckFormatError(f"{where}: bad permissions for file-setup: {mode}")
    quote = rest[0]
    end = rest.find(quote, 1)
    if end <= 1:
        raise CheckFormatError(f"{where}: missing end quote for file name: {rest!r}")
    name = rest[1:end]
    if name.startswith("/") or re.search(r"(^|/)\.\.(/|$)", name):
        raise CheckFormatError(f"{where}: file name is absolute or contains ..: {name}")
    return kind, mode, name, rest[end + 1:]


def parse(text: str, filename: str = "check.t") -> list[CheckTest]:
    """Every test in `text` (check.t read as latin-1), in order.  Raises
    CheckFormatError where the suite's harness would stop."""
    lines = text.split("\n")
    # A final newline leaves an empty last element: not a line of its own.
    if lines and lines[-1] == "":
        lines.pop()
    tests: list[CheckTest] = []
    i = 0
    known: set[str] = set()
    while True:
        current: dict[str, str] = {}
        counts: dict[str, int] = {}
        start = None
        ended = False
        while i < len(lines):
            line = lines[i]
            lineno = i + 1
            i += 1
            if re.fullmatch(r"\s*", line) or re.match(r"^ *#", line):
                continue
            if re.fullmatch(r"\s*---\s*", line):
                ended = True
                break
            start = start or lineno
            m = FIELD_RE.match(line)
            if not m:
                raise CheckFormatError(f"{filename}:{lineno}: unrecognised line {line!r}")
            name, val = m.groups()
            flags = FIELDS.get(name)
            if flags is None:
                raise CheckFormatError(f"{filename}:{lineno}: unrecognised field {name!r}")
            key = name
            if "s" in flags:
                key = f"{name}:{counts.get(name, 0)}"
                counts[name] = counts.get(name, 0) + 1
            elif name in current:
                raise CheckFormatError(f"{filename}:{lineno}: multiple {name!r} fields")
            chop = "m" not in flags
            if val in ("", "!") or "p" in flags:
                if "m" in flags or "M" in flags:
                    if "p" in flags:
                        chop = val.startswith("!")
                        val = val[1:] if chop else val
                        if val == "":
                            raise CheckFormatError(
                                f"{filename}:{lineno}: no parameters for field {name!r}")
                    else:
                        chop = val == "!"
                        val = ""
                    while i < len(lines) and lines[i].startswith("\t"):
                        val += lines[i][1:] + "\n"
                        i += 1
                    if chop:
                        val = val[:-1]
                    chop = True
                elif val == "":
                    raise CheckFormatError(f"{filename}:{lineno}: no value for {name!r}")
            if not chop:
                val += "\n"
            if name == "file-setup":
                _file_param(val, f"{filename}:{lineno}")
            current[key] = val
        if not ended:
            if current:
                raise CheckFormatError(f"{filename}:{start}: end of file inside a test")
            return tests
        if not current:
            continue
        tests.append(_finish(current, counts, filename, start or 0, known))


def _finish(fields: dict[str, str], counts: dict[str, int], filename: str, start: int,
            known: set[str]) -> CheckTest:
    where = f"{filename}:{start}"
    if "name" not in fields:
        raise CheckFormatError(f"{where}: required field 'name' missing")
    for yn in ("expected-fail", "need-ctty", "need-pass"):
        if yn in fields and fields[yn] not in ("yes", "no"):
            raise CheckFormatError(f"{where}: bad value for {yn} field")
    for sep_field in ("arguments", "env-setup"):
        value = fields.get(sep_field)
        if value is not None and value[-1] != value[0]:
            raise CheckFormatError(f"{where}: {sep_field} field doesn't start and end "
                                   "with the same character")
    if "env-setup" in fields:
        fields["env-setup"] = fields["env-setup"].replace("@utflocale@", UTF8_LOCALE)
    exit_expr = fields.get("expected-exit")
    if exit_expr is not None:
        if re.fullmatch(r"-?\d+", exit_expr):
            if not 0 <= int(exit_expr) <= 255:
                raise CheckFormatError(f"{where}: expected-exit {exit_expr} not in 0..255")
        elif not EXIT_EXPR_RE.match(exit_expr):
            raise CheckFormatError(f"{where}: bad expected-exit expression: {exit_expr}")
    for what in ("stdout", "stderr"):
        if f"expected-{what}" in fields and f"expected-{what}-pattern" in fields:
            raise CheckFormatError(f"{where}: both expected-{what} and its pattern")
    limit = fields.get("time-limit")
    if limit is not None and (not re.fullmatch(r"\d+", limit) or int(limit) == 0):
        raise CheckFormatError(f"{where}: bad value for time-limit field")
    files = []
    for n in range(counts.get("file-setup", 0)):
        kind, mode, name, data = _file_param(fields[f"file-setup:{n}"], where)
        files.append(FileSetup(kind, int(mode, 8), name, data))
    known.add(fields["name"])
    return CheckTest(fields["name"], start, fields, files)


# -- which tests apply --------------------------------------------------------------

def categories_from_test_sh(text: str) -> set[str]:
    """The categories mksh's build found for the shell (its generated test.sh:
    `set -A check_categories -- ...`; words may hold several, comma-separated)."""
    m = re.search(r"^set -A check_categories --(.*)$", text, re.M)
    if not m:
        raise CheckFormatError("test.sh has no check_categories line")
    return {c for word in m.group(1).split() for c in word.split(",") if c}


def skip_reason(test: CheckTest, categories: set[str], has_ctty: bool = True) -> str | None:
    """Why the suite's harness would not run `test` for a shell of `categories` (None:
    it would run it), and the conditions Keel adds: no perl to run perl-setup or
    perl-cleanup, and a file-result check this runner does not make."""
    if test.need_ctty and not has_ctty:
        return "needs a controlling terminal"
    cat = test.get("category")
    if cat is not None:
        ok = False
        for c in cat.split(","):
            c = re.sub(r"\s+", "", c, count=1)
            if c.startswith("!"):
                if c[1:] in categories:
                    return f"category {cat.strip()!r}: the shell is {c[1:]}"
                ok = True
            elif c in categories:
                ok = True
        if not ok:
            return f"category {cat.strip()!r}: the shell is none of these"
    for perl in ("perl-setup", "perl-cleanup"):
        if test.get(perl) is not None:
            return f"{perl} needs perl, which Keel does not have: {test.get(perl).strip()}"
    if any(k.startswith("file-result") for k in test.fields):
        return ("file-result: this runner does not check files a test leaves (mksh 59c's "
                "check.t has no such test, and its own check.pl only parses the field)")
    return None


# -- judging a result ----------------------------------------------------------------

def pattern_matches(expr: str, got: str) -> bool:
    """The suite's pattern fields are a perl match expression against the output:
    `/re/` or `!/re/`.  Raises ValueError for other forms."""
    m = re.fullmatch(r"\s*(!?)\s*/(.*)/\s*", expr, re.S)
    if not m:
        raise ValueError(f"unsupported output pattern {expr!r}")
    found = re.search(m.group(2), got) is not None
    return not found if m.group(1) else found


def exit_ok(expr: str | None, status: int) -> bool:
    """The suite's expected-exit over a traditional wait status: a number compares
    the exit code, an expression may use e (exit code, -1000 if signalled), s
    (signal, -1000 if stopped) and w (the raw status)."""
    w = status
    e = (status >> 8) & 0xff if not status & 0xff else -1000
    s = status & 0x7f if status & 0x7f != 0x7f else -1000
    if expr is None:
        return w == 0
    if re.fullmatch(r"-?\d+", expr):
        return e == int(expr)
    py = expr.replace("&&", " and ").replace("||", " or ")
    py = re.sub(r"!(?!=)", " not ", py).replace("/", "//")
    if not EXIT_EXPR_RE.match(expr):
        raise ValueError(f"unsupported expected-exit {expr!r}")
    return bool(eval(py, {"__builtins__": {}}, {"e": e, "s": s, "w": w}))  # noqa: S307


def first_difference(want: str, got: str) -> str:
    if len(want) < len(got) and got.startswith(want):
        return "got too much output"
    if len(got) < len(want) and want.startswith(got):
        return "got too little output"
    line, col = 1, 1
    for a, b in zip(want, got, strict=False):
        if a != b:
            return f"first difference: line {line}, char {col} (wanted {a!r}, got {b!r})"
        line, col = (line + 1, 1) if a == "\n" else (line, col + 1)
    return "outputs differ"


@dataclass
class Outcome:
    """What the shell under test did."""

    status: int             # traditional wait status
    timed_out: bool
    stdout: str
    stderr: str


def judge(test: CheckTest, out: Outcome, watchdog: int | None = None) -> list[str]:
    """Why `out` fails `test` (empty: it passes), worded like the suite's harness."""
    why = []
    if out.timed_out:
        limit = test.time_limit
        why.append(f"test timed out (limit of {limit} seconds)" if limit else
                   f"no time-limit of its own; killed by the runner's {watchdog} s watchdog")
    if not exit_ok(test.get("expected-exit"), out.status):
        st = out.status
        expl = ("stopped" if st & 0xff == 0x7f else f"signal {st & 0x7f}" if st & 0xff
                else f"exit-code {(st >> 8) & 0xff}")
        why.append(f"unexpected exit status {st} ({expl}), expected "
                   f"{test.get('expected-exit') or 0}")
    for what, got in (("stdout", out.stdout), ("stderr", out.stderr)):
        pattern = test.get(f"expected-{what}-pattern")
        if pattern is not None:
            if not pattern_matches(pattern, got):
                why.append(f"unexpected {what} - wanted pattern {pattern.strip()}\n"
                           f"  got: {got!r}")
        else:
            want = test.get(f"expected-{what}") or ""
            if got != want:
                why.append(f"unexpected {what} - {first_difference(want, got)}\n"
                           f"  wanted: {want!r}\n  got:    {got!r}")
    return why


# Standard utilities that Keel does not have yet (mksh's builtins left out): a failing
# test whose stderr says the shell could not find one of them needs a command, not a
# shell fix.
STANDARD_UTILITIES = frozenset((
    "awk", "basename", "cat", "chmod", "chown", "cmp", "cp", "cut", "date", "dd",
    "diff", "dirname", "du", "ed", "egrep", "env", "expr", "fgrep", "find", "grep",
    "head", "hexdump", "id",
    "ln", "ls", "mkdir", "mkfifo", "mktemp", "mv", "od", "paste", "printf", "rm",
    "rmdir", "sed", "seq", "sleep", "sort", "stat", "stty", "tail", "tee", "touch",
    "tr", "tty", "uname", "uniq", "wc", "xargs",
))
NOT_FOUND_RE = re.compile(r"(?:^|\n|: )(?:[\w.-]*/)*([\w.-]+): (?:inaccessible or )?not found")


def missing_utilities(stderr: str, available: Iterable[str] = ()) -> list[str]:
    """Standard utilities the shell reported as not found in `stderr`."""
    have = set(available)
    return sorted({m.group(1) for m in NOT_FOUND_RE.finditer(stderr)
                   if m.group(1) in STANDARD_UTILITIES and m.group(1) not in have})


# -- typing a test at the target -------------------------------------------------------

HELPER = "/bin/mkshcheck-run"
SHELL = "/bin/mksh"
BASE = "/tmp/mc"
LINE_BYTES = 600            # the longest line typed (the terminal's line holds 4095)
DEFAULT_WATCHDOG = 60       # seconds for a test without a time-limit of its own
SAFE = {c for c in map(chr, range(0x20, 0x7f))} - {"'", "\\"}


def print_escape(data: str) -> list[str]:
    """`data` as pieces for a single-quoted `print` argument: printable ASCII as is,
    every other byte (and the quote and the backslash) as a \\0ooo escape."""
    return [c if c in SAFE else f"\\0{ord(c):03o}" for c in data]


def write_file_lines(path: str, data: str) -> list[str]:
    """Shell lines that make the file at `path` hold exactly `data`."""
    pieces = print_escape(data)
    out, chunk, size = [], [], 0
    redirect = ">"
    for p in pieces:
        if size + len(p) > LINE_BYTES and chunk:
            out.append(f"print -n -- '{''.join(chunk)}' {redirect}{path}")
            redirect, chunk, size = ">>", [], 0
        chunk.append(p)
        size += len(p)
    if chunk or not out:
        out.append(f"print -n -- '{''.join(chunk)}' {redirect}{path}")
    return out


def shell_word(text: str) -> str:
    """`text` as one single-quoted shell word; printable ASCII only."""
    if any(c not in SAFE and c not in "'\\" for c in text):
        raise ValueError(f"cannot type {text!r} as a word")
    return "'" + text.replace("'", "'\\''") + "'"


class Words:
    """Shell words for arbitrary text: printable text is quoted in place; other text
    goes through a variable set on a line of its own (`print` turns the escapes back
    into bytes; the trailing dot keeps trailing newlines through `$(...)`)."""

    def __init__(self):
        self.lines: list[str] = []

    def word(self, text: str) -> str:
        try:
            return shell_word(text)
        except ValueError:
            var = f"mc_v{len(self.lines)}"
            self.lines.append(f"{var}=$(print -n -- '{''.join(print_escape(text))}.')")
            return f'"${{{var}%.}}"'


def environment(test: CheckTest, words: Words) -> list[str]:
    """The environment words for the helper: the harness's minimal environment taken
    from the logged-in shell, its fixed entries, then the test's env-setup."""
    env: dict[str, str] = {name: f'"{name}=${name}"' for name in
                           ("HOME", "LOGNAME", "PATH", "SHELL", "USER")}
    env["CYGWIN"] = shell_word("CYGWIN=nodosfilewarning")
    env["ENV"] = shell_word("ENV=/nonexistant")
    env["__progname"] = shell_word(f"__progname={SHELL}")
    for name, value in test.env_changes:
        if value is None:
            env.pop(name, None)
        else:
            env[name] = words.word(f"{name}={value}")
    return list(env.values())


def setup_lines(test: CheckTest) -> list[str]:
    """Lines that make the test's scratch directory, input and files."""
    lines = [f"{HELPER} fresh {BASE}"]     # makes {BASE}/rtd too
    if test.get("stdin") is not None:
        lines += write_file_lines(f"{BASE}/rti", test.get("stdin"))
    if test.get("script") is not None:
        lines += write_file_lines(f"{BASE}/rts", test.get("script"))
    for f in test.files:
        words = Words()
        path = words.word(f"{BASE}/rtd/{f.name}")
        if f.kind == "file":
            lines += words.lines + write_file_lines(path, f.data)
            lines.append(f"{HELPER} chmod {f.mode:o} {path}")
        elif f.kind == "dir":
            lines += words.lines + [f"{HELPER} mkdir {f.mode:o} {path}"]
        else:
            target = words.word(f.data)
            lines += words.lines + [f"{HELPER} symlink {f.mode:o} {target} {path}"]
    return lines


def run_lines(test: CheckTest, tag: str, watchdog: int = DEFAULT_WATCHDOG) -> list[str]:
    """The lines that run the test (the last one) once its files are in place."""
    words = Words()
    stdin = f"{BASE}/rti" if test.get("stdin") is not None else "/dev/null"
    argv = [SHELL] + test.arguments + ([f"{BASE}/rts"] if test.get("script") else [])
    limit = test.time_limit or watchdog
    env = environment(test, words)
    args = [words.word(a) for a in argv]
    return words.lines + [" ".join([HELPER, "run", tag, f"{BASE}/rtd", str(limit), stdin,
                                    f"{BASE}/rto", f"{BASE}/rte", *env, "--", *args])]


RESULT_RE = re.compile(r"=MC:BEGIN:(?P<tag>\w+)=\r?\n(?P<body>.*?)"
                       r"=MC:END:(?P=tag):(?P<olen>-?\d+):(?P<elen>-?\d+)=", re.S)


class ResultError(Exception):
    """A result that did not come back whole."""


def parse_result(text: str, tag: str) -> Outcome:
    """The framed result for `tag` in the console text (latin-1)."""
    m = None
    for m in RESULT_RE.finditer(text):
        if m.group("tag") == tag:
            break
    else:
        raise ResultError(f"no framed result for {tag}")
    body = m.group("body")
    st = re.search(r"^=MC:STATUS:(\d+):([01])=\r?$", body, re.M)
    if not st:
        raise ResultError(f"{tag}: no status line in {body[:200]!r}")
    streams = {"O": bytearray(), "E": bytearray()}
    for kind, hexdata in re.findall(r"^=MC:([OE]):([0-9a-f]*)=\r?$", body, re.M):
        streams[kind] += bytes.fromhex(hexdata)
    olen, elen = int(m.group("olen")), int(m.group("elen"))
    if (olen, elen) != (len(streams["O"]), len(streams["E"])):
        raise ResultError(f"{tag}: the helper sent {olen}+{elen} bytes, {len(streams['O'])}"
                          f"+{len(streams['E'])} arrived")
    return Outcome(int(st.group(1)), st.group(2) == "1", streams["O"].decode("latin-1"),
                   streams["E"].decode("latin-1"))


# -- the run ------------------------------------------------------------------------------

@dataclass
class TestResult:
    test: CheckTest
    verdict: str                # pass, fail, skip or unavailable
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Summary:
    results: list[TestResult]

    def of(self, verdict: str) -> list[TestResult]:
        return [r for r in self.results if r.verdict == verdict]

    @property
    def applicable(self) -> int:
        return sum(r.verdict in ("pass", "fail") for r in self.results)

    @property
    def passed(self) -> int:
        return len(self.of("pass"))

    @property
    def rate(self) -> float:
        return 100.0 * self.passed / self.applicable if self.applicable else 0.0

    def lines(self) -> list[str]:
        n = len(self.results)
        out = [f"mksh check.t: {n} tests: {self.passed} passed, "
               f"{len(self.of('fail'))} failed, "
               f"{len(self.of('skip'))} skipped, {len(self.of('unavailable'))} need "
               f"commands Keel lacks; pass rate {self.rate:.1f} % of {self.applicable} "
               "applicable"]
        if self.of("unavailable"):
            with_missing = self.passed / (self.applicable + len(self.of("unavailable")))
            out.append(f"  counting those as failures: {100 * with_missing:.1f} %")
        out += [f"  skip {r.test.name}: {r.reasons[0]}" for r in self.of("skip")]
        out += [f"  unavailable {r.test.name}: {r.reasons[0]}" for r in self.of("unavailable")]
        out += [f"  FAIL {r.test.name}: {r.reasons[0].splitlines()[0]}"
                for r in self.of("fail")]
        return out


    def details(self) -> list[str]:
        """Every failure with all its reasons (the diffs)."""
        out = []
        for r in self.of("fail") + self.of("unavailable"):
            out.append(f"{r.verdict} {r.test.name} (check.t line {r.test.lineno}):")
            out += ["    " + line for reason in r.reasons for line in reason.splitlines()]
        return out


def classify(test: CheckTest, out: Outcome, watchdog: int) -> TestResult:
    """pass or fail as the suite's harness counts them (a test expected to fail still
    counts as failed when it does, and one that passes unexpectedly as passed), or
    unavailable: it failed because a standard utility Keel lacks was not found."""
    why = judge(test, out, watchdog)
    if not why:
        return TestResult(test, "pass",
                          ["passed, unexpectedly"] if test.expected_fail else [])
    if test.expected_fail:
        why.insert(0, "failed, as expected")
    elif not test.need_pass:
        why.insert(0, "failed (need-pass: no, the suite's harness ignores it)")
    missing = missing_utilities(out.stderr)
    if missing:
        return TestResult(test, "unavailable",
                          [f"needs {', '.join(missing)} (not on Keel yet)"] + why)
    return TestResult(test, "fail", why)


def run_suite(tests: list[CheckTest], categories: set[str],
              run_one: Callable[[CheckTest, str], Outcome],
              watchdog: int = DEFAULT_WATCHDOG,
              progress: Callable[[TestResult], None] | None = None) -> Summary:
    """Runs every test that applies through `run_one(test, tag)` (which types it at the
    target and returns its outcome); a ResultError from it fails that test."""
    import time
    results = []
    for index, test in enumerate(tests):
        reason = skip_reason(test, categories)
        if reason:
            result = TestResult(test, "skip", [reason])
        else:
            t0 = time.monotonic()
            try:
                result = classify(test, run_one(test, f"T{index}"), watchdog)
            except ResultError as exc:
                result = TestResult(test, "fail", [f"runner: {exc}"])
            result.seconds = time.monotonic() - t0
        results.append(result)
        if progress:
            progress(result)
    return Summary(results)
