"""The kernel's self tests: every KTAP case of a `ktest` boot is its own result."""

import pytest


@pytest.mark.ktest
@pytest.mark.conformance
@pytest.mark.ktap(append="ktest")
def test_ktest(ktap_case):
    ktap_case.check()
