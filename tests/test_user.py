"""User mode: ktest-user runs as the first process from the boot image; every KTAP case
is its own result, on one usable hart (the `onehart` target) and on the board's default
hart count.  A read of a
kernel address kills the program with a one-line report and the system powers off."""

import re

import pytest

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]

EXIT_TIMEOUT = 60.0
FAULT_RE = re.compile(
    r"^ktest-user\[(\d+)\]: fault: load page fault at pc 0x[0-9a-f]+, "
    r"address 0xffffffff80000000; process killed$")


@pytest.mark.ktap(append="init=/bin/ktest-user", target="onehart")
def test_ktest_user_one_hart(ktap_case):
    ktap_case.check()


@pytest.mark.ktap(append="init=/bin/ktest-user")
def test_ktest_user(ktap_case):
    ktap_case.check()


def test_kernel_address_read_kills_the_program(keel_boot):
    boot = keel_boot(append="init=/bin/ktest-user fault", until="exit", timeout=EXIT_TIMEOUT,
                     expect_crash="user-fault")
    lines = [line.strip() for line in boot.lines]
    assert "ktest-user: reading a kernel address" in lines
    assert any(FAULT_RE.match(line) for line in lines), "no fault report line"
    assert "ktest-user: still alive after reading a kernel address" not in lines
    assert "keel: init ktest-user (pid 1) exited with status -1" in lines
    assert boot.exit_status is not None, "the system did not power off"
