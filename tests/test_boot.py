"""Boot the kernel with every configured hart count and check what it reports."""

import pytest

pytestmark = pytest.mark.boot

SETTLE = 2.0  # seconds the console is watched after all harts are online


def test_boot(keel_boot, board, smp):
    boot = keel_boot(smp=smp)
    console = boot.console
    problems = board.banner_problems(console, smp)
    if console.stages.get("banner", 0) > console.stages["harts_online"]:
        problems.append("'keel: all harts online' came before the banner")
    keel_boot.strategy().wait_exit(SETTLE)
    if console.panic is not None:
        problems.append(f"kernel panicked after boot: {console.panic.signature}")
    assert not problems, "\n".join(problems)
