"""/sys (issue: consoles, servers, init): the sysfs server init starts, read by root at
the console of a booted target.  Each file is checked against what the same boot said
elsewhere: the kernel's banner line (version, build, board compatible, harts) and the
command line the farm gave it; the per-hart counters advance between two reads; nothing
under /sys can be written."""

from __future__ import annotations

import time

import pytest
from terminal import Console, Session

pytestmark = [pytest.mark.initrd, pytest.mark.login]

# A word of the command line that nothing reads: /sys/cmdline must show it.
APPEND = "sysfs.check=1"


@pytest.fixture(scope="module")
def booted(keel_module_boot):
    strategy = keel_module_boot.strategy()
    boot = keel_module_boot(append=APPEND, until=None)
    s = Session(strategy)
    c = Console(s)
    try:
        c.login("root")
        yield boot, c
    finally:
        s.close()


def stats(c: Console) -> dict[int, dict[str, int]]:
    lines = c.ok("cat /sys/stats").split("\n")
    head = lines[0].split()
    assert head == ["hart", "ticks", "ipis", "irqs", "switches"], lines
    rows = [dict(zip(head, map(int, line.split()))) for line in lines[1:] if line.strip()]
    return {r["hart"]: r for r in rows}


def test_sys_lists_its_files(booted):
    _, c = booted
    assert c.ok("ls /sys").split() == ["board", "cmdline", "harts", "stats", "version"]


def test_board_version_and_harts_agree_with_the_banner(booted):
    boot, c = booted
    banner = boot.console.banner
    assert banner is not None, "no banner line"
    model, compatible = c.ok("cat /sys/board").split("\n")[:2]
    assert compatible == banner.compatible
    assert model, "the device tree's model is empty"
    assert c.ok("cat /sys/version").strip() == f"Keel {banner.version} ({banner.git})"
    harts = [line.split() for line in c.ok("cat /sys/harts").strip().split("\n")]
    # the boot hart is index 0; the banner lists the firmware ids in order
    assert sorted(int(h[1]) for h in harts) == sorted(banner.harts), harts
    assert [int(h[0]) for h in harts] == list(range(len(harts)))
    assert all(h[2] == "online" for h in harts), harts


def test_cmdline_is_the_kernels(booted):
    _, c = booted
    assert c.ok("cat /sys/cmdline").strip() == APPEND


def test_counters_advance(booted):
    _, c = booted
    first = stats(c)
    time.sleep(1.5)
    second = stats(c)
    assert sorted(first) == sorted(second) and first, (first, second)
    for hart, row in second.items():
        assert row["ticks"] > first[hart]["ticks"], (hart, first[hart], row)
        assert row["switches"] > 0, (hart, row)
    # typing at the console is device interrupts (the UART's), on some hart
    assert sum(r["irqs"] for r in second.values()) > sum(r["irqs"] for r in first.values())


def test_nothing_can_be_written(booted):
    _, c = booted
    out, rc = c.run("echo x > /sys/version")
    assert rc != 0 and "Read-only file system" in out, out
    out, rc = c.run("touch /sys/new")
    assert rc != 0, out
    assert c.ok("ls /sys").split() == ["board", "cmdline", "harts", "stats", "version"]
