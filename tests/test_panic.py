"""A forced panic (`panic` on the command line): signature, every hart's registers and
trace ring, power-off, and QEMU ending by itself; the crash signature names the function
and source line of the panic() call."""

import re
from pathlib import Path

import pytest
from keelfarm.console import parse_panic_report

pytestmark = pytest.mark.boot

GPRS = ("ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
        "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3",
        "t4", "t5", "t6")
EXIT_TIMEOUT = 60.0
PANIC_SOURCE = "os/kernel/core/main.c"
PANIC_CALL = 'panic("test panic requested on the command line")'


def panic_call_line(root: Path) -> int:
    """The line of the command-line panic() call in the kernel source."""
    lines = (root / PANIC_SOURCE).read_text().splitlines()
    found = [n for n, line in enumerate(lines, 1) if PANIC_CALL in line]
    assert len(found) == 1, f"{PANIC_SOURCE}: {PANIC_CALL} found on lines {found}"
    return found[0]


def test_panic(keel_boot, board):
    boot = keel_boot(append="panic", until="exit", timeout=EXIT_TIMEOUT,
                     expect_crash="panic")
    report = parse_panic_report(boot.lines)
    assert report is not None, "no 'KEEL PANIC: <reason> at 0x<pc>' line"
    assert report.panic.reason and report.panic.pc, report.panic
    problems = []
    want = board.accepted_harts(board.default_smp)
    dumped = sorted(h.hartid for h in report.harts)
    if dumped != sorted(want):
        problems.append(f"register dumps for harts {dumped}, expected {sorted(want)}")
    for dump in report.harts:
        missing = [r for r in ("pc", *GPRS) if r not in dump.registers]
        if dump.unavailable or missing:
            problems.append(f"hart {dump.hartid}: registers incomplete "
                            f"({dump.unavailable or 'missing ' + ', '.join(missing)})")
        if not dump.has_trace:
            problems.append(f"hart {dump.hartid}: no trace ring")
    panicking = [d.hartid for d in report.harts if d.panicking]
    if len(panicking) != 1:
        problems.append(f"exactly one hart must be marked panicking, got {panicking}")
    if not report.powered_off:
        problems.append("no 'keel: powering off' after the dumps")
    if boot.exit_status is None:
        problems.append(f"QEMU did not exit by itself within {EXIT_TIMEOUT:.0f} s")
    assert not problems, f"{report.panic.signature}\n" + "\n".join(problems)


def test_panic_signature_names_the_call(keel_boot, request):
    """The grouped signature's top frame is kmain at the line of its panic() call,
    symbolized against build/os/kernel.elf."""
    boot = keel_boot(append="panic", until="exit", timeout=EXIT_TIMEOUT,
                     expect_crash="panic")
    crash = keel_boot.find_crash(boot)
    assert crash is not None and crash.kind == "panic", "no panic in the console"
    root = request.config.rootpath
    want = f"kmain ({PANIC_SOURCE}:{panic_call_line(root)})"
    assert crash.top is not None and crash.top.where() == want, crash.describe()
    assert crash.group == "KEEL PANIC: test panic requested on the command line in kmain"
    assert re.search(r"^  trace .* <- 0x[0-9a-f]+ \w+ \(os/kernel/", crash.describe(),
                     re.MULTILINE), "trace-ring pcs are not symbolized:\n" + crash.describe()
