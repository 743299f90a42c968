"""The board boot chain on the emulator: OpenSBI → U-Boot → TFTP → booti → Keel."""

import pytest

pytestmark = pytest.mark.uboot

CHAIN = ("opensbi", "uboot_prompt", "tftp_done", "banner", "harts_online")


def test_uboot_tftp_boot(keel_boot, uboot_board):
    boot = keel_boot(target="uboot")
    console = boot.console
    problems = uboot_board.banner_problems(console, uboot_board.default_smp)
    missing = [stage for stage in CHAIN if stage not in console.stages]
    if missing:
        problems.append(f"boot stages never seen: {', '.join(missing)}")
    else:
        times = [console.stages[stage] for stage in CHAIN]
        if times != sorted(times):
            problems.append(f"boot stages out of order: {console.stages}")
    if console.panic is not None:
        problems.append(f"kernel panicked: {console.panic.signature}")
    assert not problems, "\n".join(problems)
