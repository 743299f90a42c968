"""mksh's own regression suite (check.t, 604 tests in 59c) against the Keel mksh
(issue: mksh, getty and login).  One boot: the host logs in as keel, turns the shell's
line editing off (so that typed lines reach it whole through the terminal's canonical
mode) and types each test: its files through `print` with octal escapes, then
/bin/mkshcheck-run runs /bin/mksh as the suite's harness would and prints status,
stdout and stderr in hex between markers.  farm/keelfarm/mkshcheck.py parses check.t
(read from the build tree: build/ports/mksh/src), decides the skips and judges each
result.

Two runs: `test_mksh_check_sample` (marker `slow`: `make test` runs it on QEMU virt)
takes every SAMPLE_STRIDE-th test of check.t in file order, a fixed selection
independent of any result; `test_mksh_check_full` (marker `campaign`: 25-30 minutes,
run with `-m campaign` or by `farm campaign`, never by `make test`) runs all of them.  Each writes its summary (the
totals, every skip and every failure with its reason) to the console, to
<log dir>/<env>/<test>.summary.txt and to the test's properties, and fails if the pass
rate over the applicable tests is under PASS_RATE_FLOOR.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from keelfarm import mkshcheck
from keelfarm.pytestplugin import log_dir
from terminal import Session
from test_login import PROMPT, login

pytestmark = [pytest.mark.initrd, pytest.mark.login]

SRC = Path(__file__).resolve().parent.parent / "build/ports/mksh/src"
# What this runner adds to the categories mksh's build found (test.sh): the system's
# name, as the harness adds os:<its OS>, and the character set.
EXTRA_CATEGORIES = {"os:keel", "shell:ebcdic-no", "shell:ascii-yes"}
SAMPLE_STRIDE = 6
# Measured on qemu-virt (2 host cores shared): the sample passed 75 of 79 applicable
# tests (94.9 %; 14 more failed only for want of a standard utility Keel lacks).  The
# floor leaves room for one or two tests that depend on timing, no more.
PASS_RATE_FLOOR = 90.0
BATCH_BYTES = 2500      # typed ahead of the shell at most (the terminal queues 4095)
SHOW_FAILURES = 15


class TargetRunner:
    """Types tests at a logged-in shell and reads their framed results back."""

    def __init__(self, s: Session):
        self.s = s
        self.acks = 0

    def setup(self) -> None:
        s = self.s
        # Editing off: the shell reads whole lines in canonical mode, so that lines
        # typed ahead wait in the terminal's queue instead of being echoed and redrawn
        # by the editor.  utf8-mode off: the shell under test decides its own.
        s.line("set +o emacs; set +o vi; set +U; PS1='mc$ '; cd /tmp")
        self.ack()

    def type_lines(self, data: bytes) -> None:
        # Lines end in a newline, not a carriage return: a shell without its editor
        # reads the terminal as it finds it, and a test's interactive shell may have
        # left it without ICRNL.
        self.s.console.write(data)

    def ack(self, timeout: float = 60.0) -> None:
        """Waits until the shell has read and run everything typed so far."""
        self.acks += 1
        self.type_lines(f"print =MC:ACK:$(({self.acks}))=\n".encode())
        self.s.expect(rf"=MC:ACK:{self.acks}=", timeout)

    def send(self, lines: list[str]) -> None:
        """Types `lines`, never more than BATCH_BYTES ahead of the shell."""
        batch = b""
        for line in lines:
            data = line.encode("latin-1") + b"\n"
            if batch and len(batch) + len(data) > BATCH_BYTES:
                self.type_lines(batch)
                self.ack()
                batch = b""
            batch += data
        if batch:
            self.type_lines(batch)

    def __call__(self, test: mkshcheck.CheckTest, tag: str) -> mkshcheck.Outcome:
        self.send(mkshcheck.setup_lines(test))
        self.ack()
        start = len(self.s.tap.data)
        self.send(mkshcheck.run_lines(test, tag))
        limit = test.time_limit or mkshcheck.DEFAULT_WATCHDOG
        self.s.expect(rf"=MC:END:{tag}:-?\d+:-?\d+=", limit + 30)
        text = self.s.tap.data[start:].decode("latin-1")
        return mkshcheck.parse_result(text, tag)


def load_suite():
    """check.t's tests (only those named in KEEL_MKSH_CHECK_ONLY, comma-separated,
    when it is set: for reproducing a failure) and the shell's categories."""
    check_t, test_sh = SRC / "check.t", SRC / "test.sh"
    if not check_t.exists() or not test_sh.exists():
        pytest.fail(f"{SRC} lacks check.t or test.sh: build mksh first (make)", pytrace=False)
    tests = mkshcheck.parse(check_t.read_bytes().decode("latin-1"), str(check_t))
    categories = mkshcheck.categories_from_test_sh(test_sh.read_text("latin-1"))
    only = os.environ.get("KEEL_MKSH_CHECK_ONLY")
    if only:
        names = set(only.split(","))
        tests = [t for t in tests if t.name in names]
    return tests, categories | EXTRA_CATEGORIES


def run_check(keel_boot, record_property, request, tests, categories) -> None:
    strategy = keel_boot.strategy()
    keel_boot(append="", until=None)
    s = Session(strategy)
    t0 = time.monotonic()
    try:
        login(s, "keel", "keel")
        s.expect(PROMPT)
        runner = TargetRunner(s)
        runner.setup()
        summary = mkshcheck.run_suite(tests, categories, runner)
        seconds = time.monotonic() - t0
        lines = summary.lines() + [f"  ({seconds:.0f} s on the target)"]
        # The totals into the target's console log as well.
        s.line(f"print -r -- {mkshcheck.shell_word(lines[0])}")
        s.expect(re.escape(lines[0]) + r"\r?\n")
    finally:
        s.close()
    path = log_dir(request.config) / f"{request.node.name}.summary.txt"
    path.write_text("\n".join(lines + summary.details()) + "\n", encoding="latin-1")
    print("\n".join(lines))
    record_property("mksh_check_summary", lines[0])
    record_property("mksh_check_passed", str(summary.passed))
    record_property("mksh_check_failed", str(len(summary.of("fail"))))
    record_property("mksh_check_skipped", str(len(summary.of("skip"))))
    record_property("mksh_check_unavailable", str(len(summary.of("unavailable"))))
    record_property("mksh_check_rate", f"{summary.rate:.1f}")
    record_property("mksh_check_seconds", f"{seconds:.0f}")
    record_property("mksh_check_report", str(path))
    if summary.rate < PASS_RATE_FLOOR:
        failures = summary.of("fail")
        detail = "\n".join(f"{r.test.name} (check.t line {r.test.lineno}):\n  " +
                           "\n  ".join("\n".join(r.reasons).splitlines())
                           for r in failures[:SHOW_FAILURES])
        pytest.fail(f"{lines[0]}: under the floor of {PASS_RATE_FLOOR} %; the first "
                    f"{min(len(failures), SHOW_FAILURES)} failures (all in {path}):\n"
                    f"{detail}", pytrace=False)


@pytest.mark.slow
def test_mksh_check_sample(keel_boot, record_property, request):
    tests, categories = load_suite()
    if not os.environ.get("KEEL_MKSH_CHECK_ONLY"):
        tests = tests[::SAMPLE_STRIDE]
    run_check(keel_boot, record_property, request, tests, categories)


@pytest.mark.campaign
def test_mksh_check_full(keel_boot, record_property, request):
    tests, categories = load_suite()
    run_check(keel_boot, record_property, request, tests, categories)
