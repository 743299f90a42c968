"""devb-nvme's queue (issue 13, storage): a large read or write is 32 commands in flight
at once, and a command the controller never answers is given up after its timeout, the
controller reset and every unanswered command submitted again.  /bin/nvme-reset-check
runs as the first process on each target whose disk is NVMe (`keel_disk: nvme`), starts
the driver with its test switch `-L 90` (the 90th I/O command, inside a 1 MiB read, is
lost), and checks the disk is published, reads the same in one large read as in 256
small ones, takes a large unaligned write that small reads see whole, and keeps its size
through an open with O_TRUNC; the console
shows the driver's new highs of commands in flight, and its timeout and reset once each."""

import re

import pytest
from disks import disk_targets

pytestmark = [pytest.mark.initrd, pytest.mark.disk]

TIMEOUT_LINE = re.compile(r"^devb-nvme: nvme0: no answer to a read command in 10 s "
                          r"\(status 0x[0-9a-f]+\); resetting the controller to submit it "
                          r"again$")
RESET_LINE = re.compile(r"^devb-nvme: nvme0: the controller is reset; \d+ commands? submitted "
                        r"again$")


def pytest_generate_tests(metafunc):
    if "nvme_target" in metafunc.fixturenames:
        found = [target for target, how in disk_targets(metafunc.config) if how == "nvme"]
        metafunc.parametrize("nvme_target", found)


def test_32_in_flight_and_a_lost_command_resets_the_controller(keel_boot, nvme_target):
    boot = keel_boot(target=nvme_target, append="init=/bin/nvme-reset-check", until="exit",
                     timeout=180)
    lines = [line.strip() for line in boot.lines]
    text = "\n".join(lines)
    failed = [line for line in lines if line.startswith("not ok")]
    assert not failed and "nvme-reset-check: done: 7 passed, 0 failed" in lines, text
    assert "devb-nvme: nvme0: 32 commands in flight (a new high)" in lines, text
    assert len([line for line in lines if TIMEOUT_LINE.match(line)]) == 1, text
    assert len([line for line in lines if RESET_LINE.match(line)]) == 1, text
    assert not [line for line in lines if "out of service" in line], text
    assert boot.exit_status == 0, text
