"""KTAP runs booted inside a test (not at collection): for suites that look at one case
across many boots or hart counts, where one pytest result per boot is what is wanted."""

from __future__ import annotations

import re

from keelfarm.ktap import Case, parse

EXIT_TIMEOUT = 60.0  # a ktest boot takes about 5 s on QEMU


def ktest_boot(keel_boot, smp: int, append: str = "ktest"):
    """Boot `append` on `smp` harts until the target powers off; (boot, KTAP run)."""
    boot = keel_boot(smp=smp, append=append, until="exit", timeout=EXIT_TIMEOUT)
    return boot, parse(boot.lines)


def describe(case: Case) -> str:
    where = f"line {case.lineno}" if case.lineno else "no result line"
    text = f"{case.id}: {case.status.value} ({where})"
    if case.reason:
        text += f": {case.reason}"
    return "\n".join([text, *("    # " + d for d in case.diagnostics)])


def run_problems(boot, run) -> list[str]:
    """What is wrong with a whole ktest boot: structure, failed cases, the summary line,
    the power-off."""
    problems = [f"KTAP: {p}" for p in run.problems]
    problems += [describe(c) for c in run.all_cases() if c.failed]
    if boot.console.ktest is None:
        problems.append("no 'ktest done' line")
    if boot.exit_status is None:
        problems.append("the target did not power off by itself")
    elif boot.exit_status != 0:
        problems.append(f"exit status {boot.exit_status}")
    return problems


def init_exit(lines: list[str], program: str, status: int) -> bool:
    """Whether the console shows the first program ending with `status`: taskman's report
    of the program it started (any pid) and the kernel's of taskman ending with the same
    status (which powers off)."""
    started = re.compile(rf"^taskman: init {re.escape(program)} \(pid \d+\) exited with status "
                         rf"{status}$")
    return (any(started.match(line) for line in lines)
            and f"keel: init taskman (pid 1) exited with status {status}" in lines)
