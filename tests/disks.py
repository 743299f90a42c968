"""The environment's targets with the disk attached (option `keel_disk`: how, virtio or
nvme), for the suites that run once per disk interface (test_disk.py, test_powercut.py,
test_bench.py), and the board those suites boot and power-cycle."""

from __future__ import annotations

import re

from labgrid.pytestplugin.hooks import LABGRID_ENV_KEY
from terminal import SHELL_PROMPT, Console, Session


def disk_targets(config) -> list[tuple[str, str]]:
    """(target, interface) for each target of the environment with a keel_disk."""
    env = config.stash.get(LABGRID_ENV_KEY, None)
    targets = env.config.get_targets() if env is not None else {}
    return [(name, options["keel_disk"]) for name, t in targets.items()
            if (options := (t or {}).get("options") or {}).get("keel_disk")]


# keel_disk -> (its driver, the disk's name under /dev)
INTERFACES = {"virtio": ("devb-virtio", "vblk0"), "nvme": ("devb-nvme", "nvme0n1")}


def pytest_generate_tests(metafunc):
    if "disk_target" in metafunc.fixturenames:
        found = disk_targets(metafunc.config)
        metafunc.parametrize("disk_target", found, ids=[i for _, i in found], scope="module")


class Board(Console):
    """The module's board: its booter, and the console of the current boot."""

    def __init__(self, booter, target: str, interface: str):
        super().__init__(None)
        self.booter = booter
        self.target = target
        self.strategy = booter.strategy(target)
        self.driver, name = INTERFACES[interface]
        self.disk = f"/dev/{name}"
        self.part = f"/dev/{name}p1"

    def boot(self) -> None:
        """Power on (off first if it runs) and log in as root."""
        if self.s is not None:
            self.s.close()
        self.booter(append="", until=None, target=self.target)
        self.s = Session(self.strategy)
        self.login("root", 90)

    def console(self) -> str:
        return self.s.text()


def umount_usr(board: Board) -> None:
    """umount /usr: fs-keel then exits, and init says so on the shared console, before or
    after the shell's next prompt (seen both ways).  Waits for init's line, then for a
    fresh prompt, so no later command's output has init's line in it."""
    start = board.s.mark
    board.s.line('umount /usr; echo "=rc=$?="')
    m = board.s.expect(r"=rc=(\d+)=\r?\n")
    assert m.group(1) == "0", f"umount /usr failed:\n{board.s.text(start)}"
    exited = r"init: /sbin/fs-keel \(pid \d+\) exited with 0"
    if not re.search(exited, board.s.text(start)):
        board.s.expect(exited)
    board.s.line("")
    board.s.expect(SHELL_PROMPT)
