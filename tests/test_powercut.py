"""The power-cut suite (issue 13, marker `storage`): power cut at a random moment while a
workload writes and fsyncs files on the disk; then boot again, fsck-keel, and check every
file that was fsync'd before the cut byte for byte.

Per cut K of a run: `cutload run /usr/cut/K SEED` (tests/target/cutload) changes a pool of
files on /usr and says on the console what it begins and, once fsync'd, what each file now
holds (its STATE: size and which version fills each range); each line leaves the UART
(tcdrain) before the next step.  At a moment drawn from the run's seed the power goes:
through the PDU on a board or vboard (the console is read on after it), on a QEMU target by
stopping the machine and reading what the console still holds, then killing it.  The log
then says how many operations were done and whether one had begun.

After the boot (init mounts /usr as after any cut): umount, `fsck-keel -y` (clean or
repaired), `fsck-keel -n` (now clean), mount, and `cutload check` on this cut's directory
and the five before it (older ones are removed, so the disk does not fill): it replays
the workload from its seed up to the last operation logged as done and checks every file
against it byte for byte, and that no other name is there.  The operation in flight may have happened or not (rename and unlink:
the old STATE or the new, nothing between; the others: any content that reads).  The
check prints what it expects of each name, and this module holds that to the STATEs
the run logged, so the replay cannot drift from the run unseen.

KEEL_POWERCUT_CUTS cuts per run (default 2: the per-commit run); the seed is
KEEL_POWERCUT_SEED, else 1 + the campaign's run number.  A campaign of 20 runs of 10 cuts:
    KEEL_POWERCUT_CUTS=10 farm campaign run --suite storage --place vboard-1 \\
        --tests tests/test_powercut.py --runs 20
"""

from __future__ import annotations

import os
import random
import re

import pytest
from disks import Board, pytest_generate_tests, umount_usr  # noqa: F401 (the module's hook)
from keelfarm.console import watch
from terminal import console_of

pytestmark = [pytest.mark.initrd, pytest.mark.login, pytest.mark.disk, pytest.mark.storage]

CUTS = int(os.environ.get("KEEL_POWERCUT_CUTS", "2"))
SEED = int(os.environ.get("KEEL_POWERCUT_SEED", 1 + int(os.environ.get("KEEL_CAMPAIGN_RUN", "0"))))
NAMES = 12                                  # cutload's pool: f0 .. f11
TAIL = 1.5                                  # seconds of console read after the cut
KEPT = 6                                    # directories checked after every cut: the last 6

BEGIN = re.compile(r"cutload: begin (\d+) (\w+) (f\d+)(?: (\S+))?\r?\n")
DONE = re.compile(r"cutload: done (\d+) (\S+)\r?\n")
CHECKED = re.compile(r"cutload: (f\d+) (ok|BAD) (\S+)")


class Log:
    """What a cut's workload logged: the STATE of each name after the last operation done,
    and the operation begun and not done, if any."""

    def __init__(self, text: str):
        self.states = {f"f{i}": f"f{i}:gone" for i in range(NAMES)}
        self.done = 0
        self.inflight: tuple[str, str, str | None] | None = None     # (op, name, after)
        events = sorted([(m.start(), "begin", m) for m in BEGIN.finditer(text)]
                        + [(m.start(), "done", m) for m in DONE.finditer(text)],
                        key=lambda e: e[0])
        for _, kind, m in events:
            n = int(m.group(1))
            if kind == "begin":
                assert self.inflight is None and n == self.done + 1, \
                    f"operation {n} begun after {self.done} done, {self.inflight} in flight"
                self.inflight = (m.group(2), m.group(3), m.group(4))
            else:
                assert self.inflight is not None and n == self.done + 1, \
                    f"operation {n} done after {self.done}, {self.inflight} in flight"
                name = m.group(2).split(":")[0]
                assert name == self.inflight[1], f"operation {n} began on {self.inflight[1]}"
                self.states[name] = m.group(2)
                self.done, self.inflight = n, None

    def expected(self) -> dict[str, str]:
        """What `cutload check` must expect of each name."""
        want = dict(self.states)
        if self.inflight is not None:
            op, name, after = self.inflight
            want[name] = f"{want[name]}|{after}" if op in ("rename", "unlink") else f"{name}:any"
        return want

    def __str__(self) -> str:
        flight = (f"operation {self.done + 1} ({self.inflight[0]} {self.inflight[1]}) in flight"
                  if self.inflight else "none in flight")
        return f"{self.done} operations done, {flight}"


@pytest.fixture(scope="module")
def board(keel_module_boot, disk_target):
    b = Board(keel_module_boot, *disk_target)
    b.strategy.reset_disk()
    b.boot()
    b.ok("mkdir -p /usr/cut")
    b.cuts = []                             # (directory, seed, Log) of the run's cuts
    yield b
    b.s.close()
    b.strategy.power_off()


def cut_power(board: Board) -> None:
    """The cut.  A QEMU target's console is QEMU itself: stop the machine, read what the
    console holds, then power off.  A board's or vboard's serial line outlives the power:
    outlet off, then read what was still on its way."""
    strategy = board.strategy
    console = console_of(strategy)
    if console is getattr(strategy, "qemu", None):
        console.monitor_command("stop")
        watch(console, lambda: False, TAIL)
        strategy.power_off()
    else:
        strategy.power_off()
        watch(console, lambda: False, TAIL)


def fsck(board: Board) -> str:
    """umount /usr, fsck -y (clean or repaired), fsck -n (clean), mount again: the
    repair's verdict line."""
    umount_usr(board)
    out, rc = board.run(f"fsck-keel -y {board.part}", 300)
    verdict = re.search(rf"fsck-keel: {re.escape(board.part)}: (clean|repaired): .*", out)
    assert rc in (0, 1) and verdict, f"fsck-keel -y exited {rc}:\n{out}"
    out = board.ok(f"fsck-keel -n {board.part}", 300)
    assert re.search(r": clean: 0 findings, 0 fixed", out), out
    board.ok(f"mount {board.part} /usr")
    return verdict.group(0).strip()


@pytest.mark.parametrize("cut", range(CUTS))
def test_a_power_cut_loses_no_fsynced_file(board, cut, record_property):
    seed = SEED * 100 + cut
    delay = random.Random(seed).uniform(1.0, 6.0)
    directory = f"/usr/cut/{cut}"
    record_property("powercut_seed", seed)
    start = board.s.mark
    board.s.line(f"cutload run {directory} {seed}")
    board.s.expect(rf"cutload: run {directory} seed {seed}\r?\n")
    watch(console_of(board.strategy), lambda: False, delay)
    cut_power(board)
    text = board.s.text(start)
    assert "cutload: run" in text and not re.search(r"cutload: (?!begin|done|run)", text), \
        f"the workload failed before the cut:\n{text[-2000:]}"
    log = Log(text)
    board.cuts.append((directory, seed, log))
    record_property("powercut_done", log.done)
    record_property("powercut_inflight", log.inflight[0] if log.inflight else "")
    print(f"\npowercut: cut {cut} (seed {seed}) after {delay:.2f} s: {log}")

    board.boot()
    verdict = fsck(board)
    record_property("powercut_fsck", verdict)
    print(f"powercut: {verdict}")
    fixed = int(re.search(r"(\d+) fixed", verdict).group(1))
    whole = 0
    for d, s, lg in board.cuts:
        out, rc = board.run(f"cutload check {d} {s} {lg.done} {int(lg.inflight is not None)}",
                            300)
        seen = {m.group(1): (m.group(2), m.group(3)) for m in CHECKED.finditer(out)}
        assert rc == 0 and all(ok == "ok" for ok, _ in seen.values()), \
            f"{d} (seed {s}, {lg}) after cut {cut}:\n{out}"
        assert {n: e for n, (_, e) in seen.items()} == lg.expected(), \
            f"{d}: the check's replay differs from the run's log ({lg}):\n{out}"
        whole += sum(1 for e in lg.expected().values() if re.fullmatch(r"f\d+:\d+:\S*", e))
    # the volume (about 62 MB free) holds KEPT directories of at most some 5.6 MB each
    if len(board.cuts) == KEPT:
        d, _, _ = board.cuts.pop(0)
        board.ok(f"rm -r {d}", 120)
    # what the campaign sums (farm campaign show): count:<name> properties
    for name, value in (("power cuts", 1), ("operations fsync'd before a cut", log.done),
                        ("files checked byte for byte", whole),
                        ("volumes fsck repaired", int(verdict.split(": ")[2] == "repaired")),
                        ("fsck findings fixed", fixed)):
        record_property(f"count:{name}", str(value))
