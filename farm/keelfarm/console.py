"""Reading a Keel target's console: the kernel's contract lines and the boot stages.

Three layers, each usable without the next:
- pure line parsers (`parse_banner`, `parse_skipped_hart`, `parse_panic`,
  `parse_ktest_summary`) for the lines the kernel promises to print;
- `BootConsole`, which follows one boot line by line and records when each stage of the
  boot chain (firmware, U-Boot, TFTP, kernel banner, all harts online …) first appeared;
- `ConsoleRecorder`, which listens to a labgrid console driver's reads (through labgrid's
  step events, the mechanism its own console logging uses), splits them into lines with
  arrival times, writes them to a log file and feeds `BootConsole` and any listeners.

`watch` drives a console until a condition holds, the console hits end of file (QEMU
exited) or a deadline passes.
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pexpect
from labgrid.step import steps

BANNER_RE = re.compile(
    r"Keel (?P<version>\S+) \((?P<git>[^)]*)\) on (?P<compatible>.+?): "
    r"(?P<nharts>\d+) harts? \[(?P<harts>[0-9, ]*)\], (?P<mib>\d+) MiB, "
    r"timebase (?P<timebase>\d+) Hz\s*$")
SKIPPED_RE = re.compile(r"^keel: hart (?P<hart>\d+) skipped: (?P<reason>.*?)\s*$")
PANIC_RE = re.compile(r"KEEL PANIC: (?P<reason>.*?) at (?P<pc>0x[0-9a-fA-F]+)\s*$")
# The kernel's `keel: ktest done: ...`, or a user test program's `<program>: done: ...`.
KTEST_DONE_RE = re.compile(r"^(?:keel: ktest|[A-Za-z0-9_.+-]+:) done: (?P<passed>\d+) passed, "
                           r"(?P<failed>\d+) failed")
DUMP_HEADER_RE = re.compile(
    r"^hart (?P<index>\d+) \(id (?P<hartid>\d+)\)(?P<panicking>, panicking)?:\s*$")
DUMP_UNAVAILABLE_RE = re.compile(r"^\s+registers unavailable: (?P<why>.*)$")
DUMP_REGISTER_RE = re.compile(r"\b(?P<name>pc|[a-z]+\d*)\s+0x(?P<value>[0-9a-fA-F]+)")
TRACE_HEADER_RE = re.compile(r"^hart (?P<index>\d+) trace ring\b")
ONLINE_LINE = "keel: all harts online"
# Lines after which the kernel will never report all harts online.
BOOT_FAILURE_RE = re.compile(r"^keel: (?:only \d+ of \d+ harts online|boot failed: .*)$")
POWEROFF_LINE = "keel: powering off"
# the kernel resetting the machine for a reboot (shutdown -r): a new boot follows
REBOOT_LINE = "keel: rebooting"
# Figures the kernel prints: `kbench: <name> <N> instructions/op  (<ops> ops)` and, after
# all harts are online, `keel: boot: <N> instret at kernel entry, <M> at all harts
# online, <U> us`.
KBENCH_RE = re.compile(r"^kbench: (?P<name>.+?)\s+(?P<value>\d+) instructions/op\s+"
                       r"\((?P<ops>\d+) ops\)\s*$")
BOOT_FIGURES_RE = re.compile(r"^keel: boot: (?P<entry>\d+) instret at kernel entry, "
                             r"(?P<online>\d+) at all harts online, (?P<us>\d+) us\s*$")
# getty's system-log line for each login prompt it writes on a real line (as sloginfo
# shows it); a pseudo-terminal's getty (/dev/ttypX of /etc/ttys, /dev/pts/N) logs its
# prompts too, but the boot's figure is the prompt a person at the board sees
LOGIN_PROMPT_FIGURES_RE = re.compile(r"\bgetty(?:\[\d+\])?: login prompt on "
                                     r"(?!/dev/ttyp|/dev/pts/)\S+ at instret "
                                     r"(?P<instret>\d+), (?P<us>\d+) us since boot\s*$")
# getty's prompt: "<host name> login: ", a line it does not end
LOGIN_PROMPT_RE = re.compile(r"^\S+ login: $")

# Boot stages in the order a boot passes them; each is recorded once, at its first line.
STAGES = ("opensbi", "uboot", "uboot_prompt", "tftp_done", "banner", "harts_online",
          "login_prompt", "ktest_done", "panic", "poweroff", "reboot")
_STAGE_LINES = (
    ("opensbi", re.compile(r"OpenSBI v\d")),
    ("uboot", re.compile(r"^U-Boot \d{4}\.\d{2}")),
    ("uboot_prompt", re.compile(r"^=> ")),
    ("tftp_done", re.compile(r"^Bytes transferred = \d+")),
    ("harts_online", re.compile(r"^" + re.escape(ONLINE_LINE) + r"\s*$")),
    ("poweroff", re.compile(r"^" + re.escape(POWEROFF_LINE))),
    ("reboot", re.compile(r"^" + re.escape(REBOOT_LINE))),
)
UBOOT_PROMPT = "=> "
# U-Boot's words for an image it will not boot (booti/bootm checks, FIT/legacy headers)
IMAGE_REJECTED_RE = re.compile(r"Bad Linux \w+ Image magic|Wrong Image Format|"
                               r"Bad (?:Data CRC|header checksum|Magic Number)|"
                               r"can't get kernel image")


@dataclass(frozen=True)
class Banner:
    version: str
    git: str
    compatible: str
    nharts: int
    harts: tuple[int, ...]
    mib: int
    timebase: int


@dataclass(frozen=True)
class SkippedHart:
    hart: int
    reason: str


@dataclass(frozen=True)
class Panic:
    reason: str
    pc: int

    @property
    def signature(self) -> str:
        """One stable line naming the panic, for grouping crashes across runs."""
        return f"KEEL PANIC: {self.reason} at {self.pc:#x}"


@dataclass(frozen=True)
class KtestSummary:
    passed: int
    failed: int


def parse_banner(line: str) -> Banner | None:
    m = BANNER_RE.search(line)
    if not m:
        return None
    harts = tuple(int(h) for h in m.group("harts").replace(" ", "").split(",") if h)
    return Banner(version=m.group("version"), git=m.group("git"),
                  compatible=m.group("compatible"), nharts=int(m.group("nharts")),
                  harts=harts, mib=int(m.group("mib")), timebase=int(m.group("timebase")))


def parse_skipped_hart(line: str) -> SkippedHart | None:
    m = SKIPPED_RE.match(line)
    return SkippedHart(int(m.group("hart")), m.group("reason")) if m else None


def parse_panic(line: str) -> Panic | None:
    m = PANIC_RE.search(line)
    if not m:
        return None
    return Panic(reason=" ".join(m.group("reason").split()), pc=int(m.group("pc"), 16))


def panic_signature(text: str) -> str | None:
    """The signature of the first panic line in `text` (one line or a whole log)."""
    for line in text.splitlines():
        panic = parse_panic(line)
        if panic:
            return panic.signature
    return None


def parse_figures(line: str) -> dict[str, float]:
    """Benchmark figures on one console line, by name (empty if there are none).

    kbench lines give `<name>` in instructions per operation; the boot line gives
    `boot instret` (instructions from kernel entry to all harts online) and `boot us`;
    getty's log line for a login prompt (sloginfo's) gives `login prompt instret` (the
    machine's instructions from reset, firmware included, to that prompt) and
    `login prompt us` (time since boot).
    """
    m = KBENCH_RE.match(line)
    if m:
        return {" ".join(m.group("name").split()): float(m.group("value"))}
    m = BOOT_FIGURES_RE.match(line)
    if m:
        return {"boot instret": float(int(m.group("online")) - int(m.group("entry"))),
                "boot us": float(m.group("us"))}
    m = LOGIN_PROMPT_FIGURES_RE.search(line)
    if m:
        return {"login prompt instret": float(m.group("instret")),
                "login prompt us": float(m.group("us"))}
    return {}


def parse_ktest_summary(line: str) -> KtestSummary | None:
    m = KTEST_DONE_RE.match(line)
    return KtestSummary(int(m.group("passed")), int(m.group("failed"))) if m else None


@dataclass
class HartDump:
    """One hart's part of a panic report."""

    index: int
    hartid: int
    panicking: bool
    registers: dict[str, int] = field(default_factory=dict)
    unavailable: str = ""  # why the registers are missing, if they are
    trace: list[str] = field(default_factory=list)
    has_trace: bool = False


@dataclass
class PanicReport:
    """Everything the kernel printed from its panic line to `keel: powering off`."""

    panic: Panic
    lineno: int  # 1-based line of the panic line
    harts: list[HartDump] = field(default_factory=list)
    powered_off: bool = False

    def hart(self, hartid: int) -> HartDump | None:
        return next((h for h in self.harts if h.hartid == hartid), None)


def parse_panic_report(lines: list[str]) -> PanicReport | None:
    """Parse the first panic in a console: signature, each hart's registers and trace.

    After the `KEEL PANIC:` line each hart prints `hart <index> (id <hartid>)[,
    panicking]:`, its registers (`name 0x<value>` pairs, or `registers unavailable:
    <why>`), then `hart <index> trace ring ...:` and its trace lines; the report ends
    with `keel: powering off`.
    """
    report = None
    current: HartDump | None = None
    in_trace = False
    for lineno, line in enumerate(lines, 1):
        if report is None:
            panic = parse_panic(line)
            if panic:
                report = PanicReport(panic, lineno)
            continue
        if line.startswith(POWEROFF_LINE):
            report.powered_off = True
            break
        header = DUMP_HEADER_RE.match(line)
        trace = TRACE_HEADER_RE.match(line)
        if header:
            current = HartDump(int(header.group("index")), int(header.group("hartid")),
                               bool(header.group("panicking")))
            report.harts.append(current)
            in_trace = False
        elif trace and current is not None and int(trace.group("index")) == current.index:
            current.has_trace, in_trace = True, True
        elif current is not None and line.startswith("  "):
            if in_trace:
                current.trace.append(line.strip())
            elif m := DUMP_UNAVAILABLE_RE.match(line):
                current.unavailable = m.group("why")
            else:
                for m in DUMP_REGISTER_RE.finditer(line):
                    current.registers[m.group("name")] = int(m.group("value"), 16)
    return report


@dataclass
class BootConsole:
    """What one boot has said so far.  Times are seconds since the recorder's start."""

    banner: Banner | None = None
    skipped: list[SkippedHart] = field(default_factory=list)
    panic: Panic | None = None
    panic_lineno: int | None = None
    failure: str | None = None  # the kernel's own line saying the boot went wrong
    image_rejected: str | None = None  # U-Boot's line refusing the image
    ktest: KtestSummary | None = None
    stages: dict[str, float] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)  # parse_figures, first seen
    lineno: int = 0

    @property
    def online(self) -> bool:
        return "harts_online" in self.stages

    def feed(self, line: str, t: float) -> None:
        """Take one complete console line that arrived `t` seconds into the boot."""
        self.lineno += 1
        for stage, regex in _STAGE_LINES:
            if regex.search(line):
                self._stage(stage, t)
        banner = self.banner is None and parse_banner(line)
        if banner:
            self.banner = banner
            self._stage("banner", t)
        if self.failure is None and BOOT_FAILURE_RE.match(line):
            self.failure = line.strip()
        if self.image_rejected is None and IMAGE_REJECTED_RE.search(line):
            self.image_rejected = line.strip()
            self._stage("image_rejected", t)
        skipped = parse_skipped_hart(line)
        if skipped:
            self.skipped.append(skipped)
        panic = self.panic is None and parse_panic(line)
        if panic:
            self.panic, self.panic_lineno = panic, self.lineno
            self._stage("panic", t)
        for name, value in parse_figures(line).items():
            self.figures.setdefault(name, value)
        summary = self.ktest is None and parse_ktest_summary(line)
        if summary:
            self.ktest = summary
            self._stage("ktest_done", t)

    def feed_partial(self, text: str, t: float) -> None:
        """Take the unfinished last line, for prompts that never end with a newline."""
        if text == UBOOT_PROMPT:
            self._stage("uboot_prompt", t)
        elif LOGIN_PROMPT_RE.match(text):
            self._stage("login_prompt", t)

    def mark(self, stage: str, t: float) -> None:
        """Record a stage seen by other means (a driver that consumed the prompt)."""
        self._stage(stage, t)

    def _stage(self, stage: str, t: float) -> None:
        self.stages.setdefault(stage, round(t, 3))


@dataclass(frozen=True)
class ConsoleLine:
    t: float  # seconds since the recorder started
    text: str


class ConsoleRecorder:
    """Collects the console of one boot: lines, arrival times, log file, `BootConsole`.

    `attach(driver)` starts listening to every `read()` of that console driver, whoever
    calls it (a strategy, labgrid's U-Boot driver, a test); `close()` stops, flushes an
    unfinished last line and closes the log file.
    """

    def __init__(self, log_path: str | Path | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.t0 = clock()
        self.lines: list[ConsoleLine] = []
        self.boot = BootConsole()
        self.earlier_boots: list[BootConsole] = []
        self.log_path = Path(log_path) if log_path else None
        self.last_output = self.t0  # clock() when the last bytes arrived
        self._listeners: list[Callable[[ConsoleLine], None]] = []
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""
        self._source = None
        self._log = None
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115

    def add_listener(self, listener: Callable[[ConsoleLine], None], *,
                     replay: bool = False) -> None:
        """Call `listener` with every complete line from now on; with `replay`, first
        with every line so far (a board's strategy may have read the boot loader's
        lines before anyone listened: a parser that counts lines must see them too)."""
        if replay:
            for line in list(self.lines):
                listener(line)
        self._listeners.append(listener)

    def attach(self, console) -> None:
        """Listen to the reads of a labgrid console driver."""
        self._source = console
        steps.subscribe(self._on_step)

    def _on_step(self, event) -> None:
        step = event.step
        if (step.source is self._source and step.tag == "console" and step.title == "read"
                and event.data.get("state") == "stop" and step.result):
            self.feed(step.result)

    def feed(self, data: bytes) -> None:
        """Take raw console bytes."""
        now = self.clock()
        t = now - self.t0
        if data:
            self.last_output = now
        text = self._partial + self._decoder.decode(data)
        *complete, self._partial = text.split("\n")
        for line in complete:
            self._line(line.rstrip("\r"), t)
        if self._partial:
            self.boot.feed_partial(self._partial.rstrip("\r"), t)

    def _line(self, text: str, t: float) -> None:
        line = ConsoleLine(t, text)
        self.lines.append(line)
        self.boot.feed(text, t)
        if "reboot" in self.boot.stages:
            # `keel: rebooting`: the machine resets itself and what follows is a new boot.
            # `boot` starts afresh (its times still count from this recorder's start);
            # the boot that ended goes to `earlier_boots`.
            self.earlier_boots.append(self.boot)
            self.boot = BootConsole()
        if self._log:
            self._log.write(text + "\n")
            self._log.flush()
        for listener in self._listeners:
            listener(line)

    def quiet_for(self) -> float:
        """Seconds since the console last printed anything (since the start if never)."""
        return self.clock() - self.last_output

    def mark(self, stage: str) -> None:
        self.boot.mark(stage, self.clock() - self.t0)


    def close(self) -> None:
        """Stop listening; flush an unfinished last line.  Safe to call twice."""
        if self._source is not None:
            steps.unsubscribe(self._on_step)
            self._source = None
        rest = self._partial + self._decoder.decode(b"", final=True)
        self._partial = ""
        if rest:
            self._line(rest.rstrip("\r"), self.clock() - self.t0)
        if self._log:
            self._log.close()
            self._log = None

    @property
    def partial(self) -> str:
        """The unfinished last line (a prompt waiting for input), '' if none."""
        return self._partial.rstrip("\r")

    def all_lines(self) -> list[str]:
        """Every line so far, the unfinished last one included."""
        return [line.text for line in self.lines] + ([self.partial] if self.partial else [])

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def tail(self, count: int = 15) -> str:
        """The last `count` lines (with the unfinished one), indented, for messages."""
        lines = [line.text for line in self.lines[-count:]]
        if self._partial:
            lines.append(self._partial)
        return "\n".join("    " + line for line in lines) or "    (no console output)"


MATCHED, EXITED, TIMED_OUT = "matched", "exited", "timeout"


def watch(console, until: Callable[[], bool], timeout: float) -> str:
    """Read `console` until `until()` holds, the console ends, or `timeout` seconds pass.

    Returns MATCHED, EXITED (the console raised EOF: the emulator is gone) or TIMED_OUT.
    The reads go through the driver, so an attached `ConsoleRecorder` sees everything.
    """
    deadline = time.monotonic() + timeout
    while not until():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return TIMED_OUT
        try:
            console.read(size=4096, timeout=min(remaining, 0.5))
        except pexpect.TIMEOUT:
            continue
        except pexpect.EOF:
            return MATCHED if until() else EXITED
    return MATCHED
