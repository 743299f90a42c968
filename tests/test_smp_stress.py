"""SMP stress: the kernel's sync stress (ktest case `smp_sync_stress_exact_totals`: every
hart hammers the same mutexes, condvars and semaphores and the totals must come out
exact) on each hart count the environment lists for stress, one boot and one result per
count."""

import pytest
from keelfarm.ktap import Status
from ktap_boot import describe, ktest_boot

pytestmark = pytest.mark.smp_stress

CASE = "smp_sync_stress_exact_totals"


def test_sync_stress(keel_boot, board, stress_smp):
    boot, run = ktest_boot(keel_boot, stress_smp)
    harts = boot.console.banner.nharts if boot.console.banner else None
    assert harts == len(board.accepted_harts(stress_smp)), \
        f"the kernel reports {harts} harts for -smp {stress_smp}"
    case = next((c for c in run.all_cases() if c.id == CASE), None)
    assert case is not None, f"no KTAP result for {CASE} (log {boot.log_path})"
    assert case.status == Status.PASS, describe(case)
    assert boot.exit_status is not None, "the target did not power off after ktest"
