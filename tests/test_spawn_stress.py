"""Spawn stress: `spawn-stress` runs as the first program, on the board's default hart
count and on one usable hart (the `onehart` target; a board's own harts stand for it), each
time twice over (the full pass, then a fifth of it).  Four threads spawn /bin/tm-child children that exit with chosen statuses, fault,
are killed with SIGKILL or orphan a grandchild, while four worker processes fork, fork and
exec, and spawn; every status is checked exactly, the orphans come to the first program,
no zombie is left, the kernel's objects are back at their baseline, and free pages
(taskman's memory with them) are after the second pass what they were after the first.  Each check is a KTAP case; the console reports each child's
fault once.  At least 5,000 processes are made; `farm campaign run --suite spawn_stress`
repeats the boot for 100,000 and more."""

import re

import pytest
from ktap_boot import init_exit

# Every target's per-commit run has it: on a loaded 2-core host a boot took 15 s of four
# harts and 8 s of one (qemu-virt).
pytestmark = [pytest.mark.spawn_stress, pytest.mark.initrd]

CASES = ["spawns_from_threads", "forks_and_execs_from_processes", "orphans_reaped_by_init",
         "no_zombie_left", "kernel_objects_back_at_baseline"]
SUMMARY_RE = re.compile(r"^spawn-stress: (\d+) processes \((\d+) spawns, (\d+) forks, "
                        r"(\d+) execs\), (\d+) bad rounds$")
FAULT_RE = re.compile(r"^tm-child\[\d+\]: fault: store page fault at pc 0x[0-9a-f]+, "
                      r"address 0x0; process killed$")
# every 16th round of each of the 4 spawner threads, in the full pass (500 rounds) and
# the fifth of it (100)
FAULTING_CHILDREN = 4 * (len(range(0, 500, 16)) + len(range(0, 100, 16)))


@pytest.mark.parametrize("target", ["main", "onehart"], ids=["board_harts", "one_hart"])
def test_spawn_stress(keel_boot, record_property, target):
    boot = keel_boot(target=target, append="init=/bin/spawn-stress", until="exit",
                     timeout=600.0, hang_timeout=120.0, expect_crash="user-fault")
    lines = [line.strip() for line in boot.lines]
    results = {m.group(2): m.group(1) == "ok"
               for m in map(re.compile(r"^(ok|not ok) \d+ (\S+)").match, lines) if m}
    assert sorted(results) == sorted(CASES), f"KTAP results: {results}"
    failed = [name for name, ok in results.items() if not ok]
    diags = [line for line in lines if line.startswith("# ") or "round" in line]
    assert not failed, f"failed: {failed}; {diags[:20]}"
    summary = [m for m in map(SUMMARY_RE.match, lines) if m]
    assert summary, "no spawn-stress summary line"
    made, spawns, forks, execs, bad = (int(n) for n in summary[0].groups())
    assert bad == 0
    assert made >= 5000, f"only {made} processes"
    assert spawns > 0 and forks > 0 and execs > 0
    # a campaign sums what its tests count (farm campaign run prints the totals)
    record_property("count:processes", str(made))
    record_property("count:spawns", str(spawns))
    faults = [line for line in lines if FAULT_RE.match(line)]
    assert len(faults) == FAULTING_CHILDREN, \
        f"want {FAULTING_CHILDREN} fault reports, one per faulting child, got {len(faults)}"
    assert init_exit(lines, "spawn-stress", 0)
