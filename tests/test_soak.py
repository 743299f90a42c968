"""Twenty consecutive `ktest` boots on the board's default hart count (virt -smp 4):
every case passes in every boot.  The kernel's stability bar, measured by machine."""

import pytest
from ktap_boot import ktest_boot, run_problems

pytestmark = pytest.mark.slow

BOOTS = 20


def test_ktest_twenty_boots_in_a_row(keel_boot, board):
    bad = {}
    for n in range(1, BOOTS + 1):
        boot, run = ktest_boot(keel_boot, board.default_smp)
        problems = run_problems(boot, run)
        if not run.cases:
            problems.append("no KTAP cases at all")
        if problems:
            bad[n] = f"boot {n} (log {boot.log_path}):\n  " + "\n  ".join(problems)
    assert not bad, f"{len(bad)} of {BOOTS} boots failed:\n" + "\n".join(bad.values())
