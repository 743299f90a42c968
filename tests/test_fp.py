"""Floating point in user mode: ktest-fp runs as the first process and checks that every
thread keeps its f0..f31 and fcsr across switches (on one hart, and across harts on the
board's default count) and that a thread's first FP instruction finds zeroed registers."""

import pytest

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]


@pytest.mark.ktap(append="init=/bin/ktest-fp", target="onehart")
def test_ktest_fp_one_hart(ktap_case):
    ktap_case.check()


@pytest.mark.ktap(append="init=/bin/ktest-fp")
def test_ktest_fp(ktap_case):
    ktap_case.check()
