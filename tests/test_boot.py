"""Boot the kernel with every configured hart count and check what it reports."""

import time

import pytest
from keelfarm.pytestplugin import describe_harts
from keelfarm.results.signature import Symbolizer

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


def test_a_quiet_machine_shows_where_its_harts_are(keel_boot, board):
    """What the farm reports when a target hangs: each hart's pc, read from the machine
    itself.  A system whose one program sleeps has every hart the kernel runs on in the
    idle loop; a hart the kernel skips stays outside it (in the firmware)."""
    strategy = keel_boot.strategy()
    assert hasattr(strategy, "hart_pcs"), "this place's strategy has no window on its harts"
    keel_boot(append="init=/bin/conf-child sleep 600000", until="online")
    strategy.wait_exit(3.0)
    # An idle hart still takes its timer interrupts, which pass through the firmware and
    # the kernel's trap entry: a sample can catch one there.  Up to five samples, each
    # retry said, until one shows every hart the kernel runs on at one idle pc; a hart
    # the kernel skips is never seen idle.
    for attempt in range(1, 6):
        pcs = strategy.hart_pcs()
        assert pcs, "QEMU told no hart's pc"
        text = describe_harts(strategy, Symbolizer.for_kernel())
        idle = [cpu for cpu, pc in pcs if pc >> 63]
        want = list(board.accepted_harts(len(pcs)))
        together = text.startswith(f"CPU#{','.join(map(str, idle))} pc ") or \
            f"; CPU#{','.join(map(str, idle))} pc " in text
        if (idle == want and together) or attempt == 5:
            break
        print(f"sample {attempt}: harts {want} expected idle at one pc, {idle} were in the "
              f"kernel ({text}); sampling again in 0.3 s")
        time.sleep(0.3)
    assert idle == want, text
    assert text.startswith(f"CPU#{','.join(map(str, idle))} pc ") or \
        f"; CPU#{','.join(map(str, idle))} pc " in text, text
    assert "arch_wait_for_interrupt (os/kernel/arch/riscv/arch.c:" in text, text
