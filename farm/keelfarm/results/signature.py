"""Crash signatures: one line that says how a boot died, the same line every time it dies
the same way.

A console can end four bad ways, each read from the console alone:
- a kernel panic, `KEEL PANIC: <reason> at 0x<pc>` followed by every hart's registers and
  trace ring (console.parse_panic_report);
- a user-mode fault report, `<program>[<pid>]: fault <what> [pc 0x<pc>] ...`;
- the kernel saying its boot failed (`keel: boot failed: ...`,
  `keel: only N of M harts online`);
- a hang: no console output for a given time (only a live console knows the time, so the
  caller says how long it has been quiet).

The signature keeps what identifies the failure and drops what varies between runs and
builds: every number and address in the reason is normalized, and the location is the
function (with file:line) that addr2line finds for the pc in the kernel ELF, not the pc.
`Crash.signature` is the one-line form that fails a test; `Crash.group` leaves the line
number out as well, so the same crash groups across commits that moved code around.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..console import BOOT_FAILURE_RE, PanicReport, parse_panic_report

ADDR2LINE = "riscv64-unknown-elf-addr2line"
DEFAULT_KERNEL_ELF = Path("build/os/kernel.elf")

PANIC, USER_FAULT, BOOT_FAILURE, HANG = "panic", "user-fault", "boot-failure", "hang"
KIND_PREFIX = {PANIC: "KEEL PANIC", USER_FAULT: "USER FAULT", BOOT_FAILURE: "BOOT FAILED",
               HANG: "HANG"}

HEX_RE = re.compile(r"\b0x[0-9a-fA-F]+\b")
NUM_RE = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
USER_FAULT_RE = re.compile(
    r"^(?P<program>[A-Za-z0-9_.+/-]+)\[(?P<pid>\d+)\]: fault\b:?\s*(?P<what>.*?)\s*$")
USER_PC_RE = re.compile(r"\b(?:pc|sepc|at)[ =:]+(?P<pc>0x[0-9a-fA-F]+)")
TRACE_PC_RE = re.compile(r"\bpc=(?P<pc>0x[0-9a-fA-F]+)")
MAX_LAST_LINE = 80


def normalize(text: str) -> str:
    """`text` with hex numbers as `<addr>` and decimal numbers as `<n>`, blanks folded:
    what stays is what the failure is, not where in memory or how often."""
    text = HEX_RE.sub("<addr>", text)
    text = NUM_RE.sub("<n>", text)
    return " ".join(text.split())


# -- symbols ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    """One source location of an address.  An address inside inlined code has several:
    the innermost first, then each function it was inlined into."""

    address: int
    function: str | None  # None: addr2line knows no symbol
    file: str | None
    line: int | None

    @property
    def known(self) -> bool:
        return self.function is not None

    def where(self) -> str:
        """`kmain (os/kernel/core/main.c:178)`, or the bare address if unknown."""
        if not self.known:
            return f"{self.address:#x}"
        if self.file is None:
            return self.function
        return f"{self.function} ({self.file}:{self.line})" if self.line else \
            f"{self.function} ({self.file})"


class Symbolizer:
    """Addresses to source locations with addr2line against one ELF file (kernel or a
    user program).  Results are cached; one addr2line process answers a whole batch.

    File names are shown relative to `source_root` (default: the current directory)
    when they lie below it, so a signature reads the same on every checkout.
    """

    def __init__(self, elf: str | Path, *, addr2line: str = ADDR2LINE,
                 source_root: str | Path | None = None, timeout: float = 30.0):
        self.elf = Path(elf)
        self.addr2line = addr2line
        self.source_root = Path(source_root or Path.cwd()).resolve()
        self.timeout = timeout
        self._cache: dict[int, tuple[Frame, ...]] = {}

    @classmethod
    def for_kernel(cls, elf: str | Path | None = None, **kwargs) -> Symbolizer | None:
        """A symbolizer for the kernel ELF (default build/os/kernel.elf), or None if that
        file does not exist (signatures then name bare addresses)."""
        path = Path(elf) if elf else DEFAULT_KERNEL_ELF
        return cls(path, **kwargs) if path.is_file() else None

    def frames(self, address: int) -> tuple[Frame, ...]:
        return self.lookup([address])[address]

    def lookup(self, addresses: Sequence[int]) -> dict[int, tuple[Frame, ...]]:
        """Frames for each address (innermost first); unknown addresses get one frame
        with no function.  Raises OSError if addr2line cannot run at all.  An address
        no pc can hold (below 0: the return address 0 of an empty trace-ring slot, less
        one) is unknown without asking: addr2line would read `-0x1` as an option and
        fail the whole batch."""
        unknown = sorted({a for a in addresses if a not in self._cache and 0 <= a < 1 << 64})
        if unknown:
            self._cache.update(self._run(unknown))
        return {a: self._cache.get(a, (Frame(a, None, None, None),)) for a in addresses}

    def _run(self, addresses: list[int]) -> dict[int, tuple[Frame, ...]]:
        cmd = [self.addr2line, "-a", "-f", "-i", "-e", str(self.elf)]
        cmd += [f"{a:#x}" for a in addresses]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=self.timeout,
                              check=False)
        if proc.returncode != 0:
            raise OSError(f"{self.addr2line} failed on {self.elf}: {proc.stderr.strip()}")
        return parse_addr2line(proc.stdout, self._relative)

    def _relative(self, path: str) -> str:
        if os.path.isabs(path) and Path(path).is_relative_to(self.source_root):
            return os.path.relpath(path, self.source_root)
        return path


class ProgramSymbolizers:
    """Symbolizers for user programs by name: `<directory>/<program>` is the program's
    ELF (the build keeps them with symbols in build/os/bin).  A mapping for find_crash."""

    def __init__(self, directory: str | Path, **kwargs):
        self.directory = Path(directory)
        self.kwargs = kwargs
        self._made: dict[str, Symbolizer | None] = {}

    def get(self, program: str) -> Symbolizer | None:
        name = Path(program).name
        if name not in self._made:
            path = self.directory / name
            self._made[name] = Symbolizer(path, **self.kwargs) if path.is_file() else None
        return self._made[name]


def parse_addr2line(text: str, relative=lambda p: p) -> dict[int, tuple[Frame, ...]]:
    """Parse `addr2line -a -f -i` output: an address line (`0x...`), then pairs of
    function and `file:line` lines, one pair per inlining level."""
    out: dict[int, list[Frame]] = {}
    address = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if re.fullmatch(r"0x[0-9a-fA-F]+", line):
            address = int(line, 16)
            out[address] = []
            i += 1
            continue
        if address is None or i + 1 >= len(lines):
            break
        function, location = line, lines[i + 1].strip()
        i += 2
        location = location.split(" (discriminator")[0]
        file, _, number = location.rpartition(":")
        known = function != "??"
        out[address].append(Frame(
            address, function if known else None,
            relative(file) if file and file != "??" else None,
            int(number) if number.isdigit() and number != "0" else None))
    return {a: tuple(f) for a, f in out.items() if f}


# -- crashes ---------------------------------------------------------------------------

@dataclass
class Crash:
    """How one console ended badly."""

    kind: str  # PANIC, USER_FAULT, BOOT_FAILURE or HANG
    reason: str  # normalized
    raw: str  # the console line it came from (HANG: the last line before the silence)
    lineno: int | None = None  # 1-based console line of `raw`
    pc: int | None = None
    program: str | None = None  # USER_FAULT: the program name
    frames: list[Frame] = field(default_factory=list)  # top (innermost) first
    details: list[str] = field(default_factory=list)  # symbolized registers and trace

    @property
    def top(self) -> Frame | None:
        return self.frames[0] if self.frames else None

    def _head(self) -> str:
        return f"{KIND_PREFIX[self.kind]}: {self.reason}"

    @property
    def signature(self) -> str:
        """The one line that fails a test: what happened and where (function and
        file:line when the address could be symbolized)."""
        top = self.top
        if top is not None and top.known:
            return f"{self._head()} in {top.where()}"
        if self.pc is not None:
            return f"{self._head()} at {self.pc:#x}"
        return self._head()

    @property
    def group(self) -> str:
        """The signature without line numbers or addresses: the same crash in another
        build groups with this one."""
        top = self.top
        if top is not None and top.known:
            return f"{self._head()} in {top.function}"
        return self._head()

    def stack(self) -> str:
        """The symbolized frames, one per line (empty if there are none)."""
        return "\n".join(f"  #{i} {f.address:#x} {f.where()}"
                         for i, f in enumerate(self.frames))

    def describe(self) -> str:
        """Signature, frames and the symbolized details, for a failure message."""
        parts = [self.signature]
        if self.frames:
            parts.append(self.stack())
        parts += self.details
        return "\n".join(parts)


def find_crash(lines: Sequence[str], *, symbolizer: Symbolizer | None = None,
               quiet_for: float | None = None, hang_after: float | None = None,
               user_symbolizers: dict[str, Symbolizer] | ProgramSymbolizers | None = None,
               expected: str | None = None) -> Crash | None:
    """The crash in a console, if any: a panic first (the kernel stops there), then a
    user fault, then the kernel's own boot-failure line, then a hang when the console
    has been quiet for `quiet_for` >= `hang_after` seconds.

    `expected`: a crash kind the boot provokes on purpose; a crash of that kind is the
    answer only when there is none of another kind (a boot whose programs fault on
    purpose and that then hangs is a hang, not the first of its faults).
    `symbolizer` resolves kernel addresses; `user_symbolizers` maps program names to
    symbolizers for their ELF files (a dict or ProgramSymbolizers).
    """
    found: list[Crash] = []
    report = parse_panic_report(list(lines))
    if report is not None:
        return panic_crash(report, lines, symbolizer)
    for lineno, line in enumerate(lines, 1):
        fault = USER_FAULT_RE.match(line.strip())
        if fault:
            found.append(user_fault_crash(fault, lineno, user_symbolizers or {}))
            break
    if not found or found[0].kind == expected:
        for lineno, line in enumerate(lines, 1):
            if BOOT_FAILURE_RE.match(line.strip()):
                text = line.strip().removeprefix("keel: ")
                found.append(Crash(BOOT_FAILURE, normalize(text), line.strip(), lineno))
                break
    if (not found or all(c.kind == expected for c in found)) and quiet_for is not None \
            and hang_after is not None and quiet_for >= hang_after:
        found.append(hang_crash(lines, quiet_for))
    return next((c for c in found if c.kind != expected), found[0] if found else None)


def _symbolize_safely(symbolizer: Symbolizer | None, addresses: list[int]):
    if symbolizer is None or not addresses:
        return {}, ""
    try:
        return symbolizer.lookup(addresses), ""
    except (OSError, subprocess.SubprocessError) as exc:
        return {}, f"  (not symbolized: {exc})"


def panic_crash(report: PanicReport, lines: Sequence[str],
                symbolizer: Symbolizer | None) -> Crash:
    """A panic: the top frames are the panic pc's (it points at the call of panic() or
    at the faulting instruction); when the panicking hart's saved pc is that same pc
    (a trap), its ra adds the caller.  Every hart's pc and ra and every trace-ring pc are
    symbolized into `details`."""
    panic = report.panic
    me = next((h for h in report.harts if h.panicking), None)
    # ra and trace pcs are return addresses: the call instruction is just before them.
    wanted = [panic.pc]
    for dump in report.harts:
        wanted += [dump.registers[r] for r in ("pc",) if r in dump.registers]
        wanted += [dump.registers["ra"] - 1] if "ra" in dump.registers else []
        wanted += [int(m.group("pc"), 16) - 1 for t in dump.trace
                   if (m := TRACE_PC_RE.search(t))]
    table, note = _symbolize_safely(symbolizer, wanted)
    frames = list(table.get(panic.pc, ()))
    if me is not None and me.registers.get("pc") == panic.pc and "ra" in me.registers:
        frames += list(table.get(me.registers["ra"] - 1, ()))[:1]
    crash = Crash(PANIC, normalize(panic.reason), lines[report.lineno - 1].strip(),
                  report.lineno, pc=panic.pc, frames=[f for f in frames if f.known])
    if not table:
        if note:
            crash.details.append(note)
        return crash
    for dump in report.harts:
        label = f"hart {dump.index} (id {dump.hartid}){', panicking' if dump.panicking else ''}"
        crash.details.append(f"{label}:")
        if "pc" in dump.registers:
            crash.details.append(f"  pc {_where(table, dump.registers['pc'])}")
        if "ra" in dump.registers:
            crash.details.append(f"  ra {_where(table, dump.registers['ra'] - 1, 1)}")
        for entry in dump.trace:
            m = TRACE_PC_RE.search(entry)
            at = f"  <- {_where(table, int(m.group('pc'), 16) - 1, 1)}" if m else ""
            crash.details.append(f"  {entry}{at}")
    return crash


def _where(table, address: int, bias: int = 0) -> str:
    frames = table.get(address)
    shown = address + bias
    if not frames or not frames[0].known:
        return f"{shown:#x}"
    return f"{shown:#x} " + " <- ".join(f.where() for f in frames)


def user_fault_crash(match: re.Match, lineno: int, symbolizers) -> Crash:
    program, what = match.group("program"), match.group("what")
    pc_match = USER_PC_RE.search(what)
    pc = int(pc_match.group("pc"), 16) if pc_match else None
    name = Path(program).name
    crash = Crash(USER_FAULT, f"{name}: {normalize(what)}" if what else name,
                  match.group(0), lineno, pc=pc, program=name)
    symbolizer = symbolizers.get(name)
    if pc is not None and symbolizer is not None:
        table, note = _symbolize_safely(symbolizer, [pc])
        crash.frames = [f for f in table.get(pc, ()) if f.known]
        if note:
            crash.details.append(note)
    return crash


def hang_crash(lines: Sequence[str], quiet_for: float) -> Crash:
    last_no, last = next(((i, line.strip()) for i, line in
                          reversed(list(enumerate(lines, 1))) if line.strip()), (None, ""))
    after = normalize(last)[:MAX_LAST_LINE]
    reason = f"no console output after '{after}'" if last else "no console output at all"
    crash = Crash(HANG, reason, last, last_no)
    crash.details.append(f"  the console was quiet for {quiet_for:.0f} s")
    return crash
