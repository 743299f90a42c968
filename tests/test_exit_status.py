"""A failed run fails the machine too: where the board has a test finisher
(`keel_test_finisher`, QEMU's sifive,test1 on virt) the kernel writes the failure's
status to it, so `qemu-system-riscv64 ...; echo $?` tells without reading the console.
The exit status must agree with what the console says: 0 after a clean exit, the first
process's status after it failed (its low 8 bits, 1 if those are 0), 1 after a panic.
Without a finisher the firmware's power-off cannot say "failed" and every run exits 0,
which the test then requires, so it can still fail."""

import pytest

pytestmark = [pytest.mark.boot, pytest.mark.initrd]

EXIT_TIMEOUT = 60.0
CASES = [
    # command line, crash the farm expects, console line, exit status with a finisher
    ("init=/bin/hello", None, "keel: init taskman (pid 1) exited with status 0", 0),
    ("init=/bin/ktest-user fault", "user-fault",
     "keel: init taskman (pid 1) exited with status -1", 255),
    ("panic", "panic", "keel: powering off", 1),
]


@pytest.mark.parametrize(("append", "crash", "line", "status"), CASES,
                         ids=["clean-exit", "init-failed", "panic"])
def test_exit_status_agrees_with_the_console(keel_boot, board, append, crash, line, status):
    boot = keel_boot(append=append, until="exit", timeout=EXIT_TIMEOUT, expect_crash=crash)
    lines = [text.strip() for text in boot.lines]
    assert line in lines, f"the console never said {line!r} (the wait {boot.exit_wait})"
    assert "keel: powering off" in lines, f"no power-off (the wait {boot.exit_wait})"
    assert boot.exit_status == (status if board.test_finisher else 0)
