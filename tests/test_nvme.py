"""devb-nvme's answer to a command the controller never answers (issue 13, storage): it
gives up on the command after its timeout, resets the controller and submits it again.
/bin/nvme-reset-check runs as the first process on each target whose disk is NVMe
(`keel_disk: nvme`), starts the driver with its test switch `-L 3` (the third I/O command
is lost on its way), and checks the disk is published and reads and writes as it should;
the console shows the driver's timeout and reset, once each."""

import re

import pytest
from disks import disk_targets

pytestmark = [pytest.mark.initrd, pytest.mark.disk]

TIMEOUT_LINE = re.compile(r"^devb-nvme: nvme0: no answer to a read command in 10 s "
                          r"\(status 0x[0-9a-f]+\); resetting the controller to submit it "
                          r"again$")


def pytest_generate_tests(metafunc):
    if "nvme_target" in metafunc.fixturenames:
        found = [target for target, how in disk_targets(metafunc.config) if how == "nvme"]
        metafunc.parametrize("nvme_target", found)


def test_a_lost_command_resets_the_controller_and_goes_again(keel_boot, nvme_target):
    boot = keel_boot(target=nvme_target, append="init=/bin/nvme-reset-check", until="exit",
                     timeout=180)
    lines = [line.strip() for line in boot.lines]
    text = "\n".join(lines)
    failed = [line for line in lines if line.startswith("not ok")]
    assert not failed and "nvme-reset-check: done: 4 passed, 0 failed" in lines, text
    assert len([line for line in lines if TIMEOUT_LINE.match(line)]) == 1, text
    assert lines.count("devb-nvme: nvme0: the controller is reset") == 1, text
    assert not [line for line in lines if "out of service" in line], text
    assert boot.exit_status == 0, text
