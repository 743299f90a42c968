"""The kernel's self tests: every KTAP case of a `ktest` boot is its own result.

The boot uses the target's harts.  A campaign may ask for another count on a QEMU place:
`KEEL_KTEST_SMP=8 farm campaign run --suite ktest --place qemu-virt` (a board boots with
the harts it has); each result records the count it ran with."""

import os

import pytest

KTEST_SMP = int(os.environ.get("KEEL_KTEST_SMP", "0")) or None


@pytest.mark.ktest
@pytest.mark.conformance
@pytest.mark.ktap(append="ktest", smp=KTEST_SMP)
def test_ktest(ktap_case, record_property):
    record_property("ktest_smp", str(KTEST_SMP or "target"))
    ktap_case.check()
