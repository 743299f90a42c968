"""taskman, the process manager: ktest-taskman runs as the first program and drives
taskman's messages (spawn, wait, groups and sessions, limits, the path space) with
/bin/tm-child as its children; every KTAP case is its own result, on one hart and on
the board's default hart count.  A child that stores through NULL is reported to its
parent as killed by SIGSEGV, and the console names it once; so are stores below the main
stack, into a mapped stack's guard page or a page made read-only, and loads from an
unmapped page (the `faults` boot, whose every case must pass)."""

import re

import pytest
from ktap_boot import init_exit

pytestmark = [pytest.mark.initrd, pytest.mark.conformance]

EXIT_TIMEOUT = 120.0
FAULT_RE = re.compile(r"^tm-child\[(\d+)\]: fault: store page fault at pc 0x[0-9a-f]+, "
                      r"address 0x0; process killed$")


@pytest.mark.ktap(append="init=/bin/ktest-taskman", target="onehart")
def test_ktest_taskman_one_hart(ktap_case):
    ktap_case.check()


@pytest.mark.ktap(append="init=/bin/ktest-taskman")
def test_ktest_taskman(ktap_case):
    ktap_case.check()


def test_null_store_is_sigsegv_to_the_parent(keel_boot):
    boot = keel_boot(append="init=/bin/ktest-taskman faults", until="exit",
                     timeout=EXIT_TIMEOUT, expect_crash="user-fault")
    lines = [line.strip() for line in boot.lines]
    faults = [m for m in map(FAULT_RE.match, lines) if m]
    assert len(faults) == 1, f"want one fault report line, got {len(faults)}"
    assert any(re.match(r"^ok \d+ fault_is_sigsegv$", line) for line in lines)
    assert init_exit(lines, "ktest-taskman", 0)


TMBENCH_RE = re.compile(r"^tmbench: (.+?)\s+(\d+) instructions/op  \((\d+) ops\)$")
TMBENCH_FIGURES = ["spawn + exit + wait", "fork + exit + wait", "fork + exec + wait",
                   "failed spawn"]


@pytest.mark.bench
def test_tmbench_figures(keel_boot):
    """Process life through taskman in guest instructions (one hart, -icount): every
    figure is printed, and what is built from more work costs more."""
    boot = keel_boot(target="onehart", append="init=/bin/tmbench", until="exit",
                     timeout=300.0, hang_timeout=150.0, deterministic=True)
    lines = [line.strip() for line in boot.lines]
    found = {m.group(1): int(m.group(2)) for m in map(TMBENCH_RE.match, lines) if m}
    assert sorted(found) == sorted(TMBENCH_FIGURES), f"tmbench printed {sorted(found)}"
    assert "tmbench: done" in lines
    assert found["fork + exec + wait"] > found["fork + exit + wait"]
    assert found["failed spawn"] < found["spawn + exit + wait"]
    assert init_exit(lines, "tmbench", 0)
