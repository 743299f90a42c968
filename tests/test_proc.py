"""The process manager's kernel mechanism: ktest-proc runs as the first process (which
holds the process manager's privilege) and checks copy-on-write clones, fork, exec,
credentials, groups and signals; every KTAP case is its own result, on one hart and on
the board's default hart count.  The fault cases run in a boot of their own, which
expects their fault report lines."""

import re

import pytest
from ktap_boot import init_exit

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]

EXIT_TIMEOUT = 120.0


@pytest.mark.ktap(append="init=/bin/ktest-proc", target="onehart")
def test_ktest_proc_one_hart(ktap_case):
    ktap_case.check()


@pytest.mark.ktap(append="init=/bin/ktest-proc")
def test_ktest_proc(ktap_case):
    ktap_case.check()


def test_faults_become_signals_reported_to_the_parent(keel_boot):
    boot = keel_boot(append="init=/bin/ktest-proc faults", until="exit", timeout=EXIT_TIMEOUT,
                     expect_crash="user-fault")
    lines = [line.strip() for line in boot.lines]
    assert any(re.match(r"^child\[\d+\]: fault: store page fault at pc 0x[0-9a-f]+, "
                        r"address 0x0; process killed$", line) for line in lines)
    assert any(re.match(r"^child\[\d+\]: fault: illegal instruction at pc 0x[0-9a-f]+, "
                        r"address 0x[0-9a-f]+; process killed$", line) for line in lines)
    assert "ktest-proc faults: done: 2 passed, 0 failed" in lines
    assert init_exit(lines, "ktest-proc", 0)
    assert boot.exit_status == 0
