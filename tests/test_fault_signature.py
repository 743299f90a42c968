"""A user-mode fault's crash signature names the program, the fault and the faulting
source line, symbolized against the program's ELF (build/os/bin/<program>)."""

import pytest

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]

SOURCE = "tests/target/ktest-user/ktest_user.c"
ANNOUNCE = 'printf("ktest-user: reading a kernel address\\n");'


def faulting_line(root) -> int:
    """The line right after ktest-user announces its read of a kernel address."""
    lines = (root / SOURCE).read_text().splitlines()
    found = [n for n, line in enumerate(lines, 1) if ANNOUNCE in line]
    assert len(found) == 1, f"{SOURCE}: {ANNOUNCE} found on lines {found}"
    return found[0] + 1


def test_user_fault_signature(keel_boot, request):
    boot = keel_boot(append="init=/bin/ktest-user fault", until="exit", timeout=60,
                     expect_crash="user-fault")
    crash = keel_boot.find_crash(boot)
    assert crash is not None and crash.kind == "user-fault", "no user fault in the console"
    assert crash.program == "ktest-user"
    want = f"main ({SOURCE}:{faulting_line(request.config.rootpath)})"
    assert crash.top is not None and crash.top.where() == want, crash.describe()
    assert crash.group == ("USER FAULT: ktest-user: load page fault at pc <addr>, address "
                           "<addr>; process killed in main")
