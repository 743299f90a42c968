"""User mode: ktest-user runs as the first process from the boot image; every KTAP case
is its own result, on one usable hart (the `onehart` target) and on the board's default
hart count.  A read of a
kernel address kills the program with a one-line report and the system powers off."""

import re

import pytest
from ktap_boot import init_exit

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
    assert any(re.match(r"^taskman: init ktest-user \(pid \d+\) killed by signal 11$", line)
               for line in lines), "taskman did not report the first program's death"
    assert "keel: init taskman (pid 1) exited with status -1" in lines
    assert boot.exit_status is not None, "the system did not power off"


def test_child_fault_reported_to_parent(keel_boot):
    boot = keel_boot(append="init=/bin/ktest-user childfault", until="exit",
                     timeout=EXIT_TIMEOUT, expect_crash="user-fault")
    lines = [line.strip() for line in boot.lines]
    assert any(re.match(r"^child\[\d+\]: fault: load page fault at pc 0x10008, "
                        r"address 0xffffffff80000000; process killed$", line) for line in lines)
    assert any(re.match(r"^ok \d+ child_fault_reported$", line) for line in lines)
    assert any(re.match(r"^ktest-user faults: done: \d+ passed, 0 failed$", line)
               for line in lines), "the parent did not see its child's end"
    assert init_exit(lines, "ktest-user", 0)


KFUZZ_RE = re.compile(r"^kfuzz: seed 42, 1000000 calls from 4 threads: (\d+) ok, (\d+) errors, "
                      r"(\d+) unknown, (\d+) left out$")
KTEST_DONE_RE = re.compile(r"^keel: ktest done: (\d+) passed, 0 failed$")


def test_kfuzz_million_calls_then_ktest(keel_boot):
    """A million random kernel calls from four threads on the board's harts; the kernel
    survives and its self-tests still pass afterwards in the same boot.  kfuzz runs with
    the first process's privileges, so it also starts processes at random addresses: their
    faults are expected; kfuzz's own status and the kernel's are what count."""
    boot = keel_boot(append="init=/bin/kfuzz 42 1000000 4 ktest", until="exit", timeout=300,
                     expect_crash="user-fault")
    lines = [line.strip() for line in boot.lines]
    fuzz = [m for m in map(KFUZZ_RE.match, lines) if m]
    assert fuzz, "no kfuzz summary line"
    assert sum(int(n) for n in fuzz[0].groups()) == 1000000
    assert init_exit(lines, "kfuzz", 0)
    assert any(KTEST_DONE_RE.match(line) for line in lines), "ktest after kfuzz did not pass"
    assert boot.exit_status == 0
