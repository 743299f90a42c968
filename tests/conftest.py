"""Target suites: run through labgrid on any Keel target (`--lg-env <env file>`).

What a target must report (hart ids, memory, timebase, compatible) comes from the
environment file: its `keel_*` target options and its QEMU driver settings, so the same
tests hold for every board.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from labgrid.exceptions import NoDriverFoundError
from labgrid.pytestplugin.hooks import LABGRID_ENV_KEY

MARKERS = {
    "boot": "boots the target and checks what the kernel reports",
    "ktest": "in-kernel self tests (command line `ktest`), one result per KTAP case",
    "login": "logs in on the target console",
    "conformance": "POSIX and kernel-call conformance programs on the target",
    "spawn_stress": "process creation under load",
    "smp_stress": "many harts contending",
    "slow": "takes minutes",
    "campaign": "takes half an hour or more: run with -m campaign or by farm campaign; "
                "make test leaves it out",
    "fuzz": "random kernel calls (kfuzz); KEEL_KFUZZ_CALLS sets the count, and a campaign's "
            "run number (KEEL_CAMPAIGN_RUN) the seed",
    "bench": "benchmark programs: figures in guest instructions, recorded as bench:<name>",
    "uboot": "boots through U-Boot and TFTP (needs the environment's `uboot` target)",
    "disk": "needs the disk (build/os/disk.img) attached and mounted on /usr: deselected, "
            "with a line saying so, where the environment's main target has no `keel_disk`",
    "storage": "the power-cut suite: the disk's files across power cuts at random moments; "
               "KEEL_POWERCUT_CUTS cuts per run",
    "initrd": "boots with the boot image (build/os/initrd.cpio) beside the kernel; needs the "
              "environment's `onehart` target too",
}


def pytest_configure(config):
    for name, doc in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {doc}")


def pytest_collection_modifyitems(config, items):
    """Tests marked `disk` leave the run where the main target has no disk (a board
    without one, sifive_u): deselected, not skipped, and said on the terminal."""
    env = config.stash.get(LABGRID_ENV_KEY, None)
    if env is None:
        return
    options = env.config.get_targets().get("main", {}).get("options") or {}
    if options.get("keel_disk"):
        return
    gone = [item for item in items if item.get_closest_marker("disk")]
    if gone:
        items[:] = [item for item in items if item not in gone]
        config.hook.pytest_deselected(items=gone)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"conftest: {len(gone)} disk tests deselected: "
                                f"{env.config_file} has no keel_disk on its main target")


def pytest_sessionstart(session):
    if session.config.stash.get(LABGRID_ENV_KEY, None) is None:
        raise pytest.UsageError("tests/ run on a target: pass --lg-env farm/envs/<env>.yaml")


@dataclass(frozen=True)
class Board:
    """What a boot of one target must report."""

    target: str
    smp_configs: tuple[int, ...]
    default_smp: int
    skipped_harts: tuple[int, ...]
    compatible: str
    timebase: int
    memory_mib: int
    stress_smp: tuple[int, ...] = ()
    bench_smp: int | None = None
    test_finisher: bool = False  # a failed run's status is the machine's exit status
    # reading the time CSR traps to the firmware, which emulates it (QEMU's sifive_u, the
    # U74 of the Unmatched): every read costs a few hundred guest instructions
    time_csr_traps: bool = False

    def accepted_harts(self, smp: int) -> tuple[int, ...]:
        return tuple(h for h in range(smp) if h not in self.skipped_harts)

    def banner_problems(self, console, smp: int) -> list[str]:
        """Everything in a boot's banner and hart lines that disagrees with this board."""
        banner = console.banner
        if banner is None:
            return ["no Keel banner line"]
        want = self.accepted_harts(smp)
        problems = []
        checks = [
            ("hart count", banner.nharts, len(want)),
            ("hart ids", banner.harts, want),
            ("memory MiB", banner.mib, self.memory_mib),
            ("timebase Hz", banner.timebase, self.timebase),
            ("compatible", banner.compatible, self.compatible),
            ("skipped harts", tuple(sorted(s.hart for s in console.skipped)),
             tuple(h for h in sorted(self.skipped_harts) if h < smp)),
        ]
        for what, got, expected in checks:
            if got != expected:
                problems.append(f"{what}: kernel says {got!r}, expected {expected!r}")
        if not banner.version or not banner.git:
            problems.append(f"banner lacks version or git description: {banner}")
        problems += [f"hart {s.hart} skipped without a reason" for s in console.skipped
                     if not s.reason]
        return problems


def memory_mib(size: str) -> int:
    m = re.fullmatch(r"(\d+)([MG])", size.strip().upper())
    if not m:
        raise ValueError(f"memory size {size!r}: expected <n>M or <n>G")
    return int(m.group(1)) * (1024 if m.group(2) == "G" else 1)


def qemu_memory(target) -> str:
    """The memory size of a QEMU target (boards say theirs in `keel_memory`)."""
    try:
        return target.get_driver("QEMUDriver", activate=False).memory
    except NoDriverFoundError as exc:
        raise KeyError("keel_memory") from exc


def board_for(env, target: str) -> Board:
    """The expectations for `target`: its `keel_*` options, its strategy's hart count and
    the QEMU driver's memory size unless `keel_memory` says it."""
    tgt = env.get_target(target)
    if tgt is None:
        pytest.fail(f"{env.config_file} has no target {target!r}", pytrace=False)
    options = env.config.get_targets()[target].get("options") or {}
    default_smp = tgt.get_driver("Strategy", activate=False).default_smp or 1
    try:
        return Board(target=target,
                     smp_configs=tuple(options.get("keel_smp_configs", [default_smp])),
                     default_smp=default_smp,
                     skipped_harts=tuple(options.get("keel_skipped_harts", [])),
                     stress_smp=tuple(options.get("keel_stress_smp") or
                                      [n for n in options.get("keel_smp_configs",
                                                              [default_smp]) if n > 1]),
                     bench_smp=options.get("keel_bench_smp", default_smp),
                     test_finisher=bool(options.get("keel_test_finisher", False)),
                     time_csr_traps=bool(options.get("keel_time_csr_traps", False)),
                     compatible=options["keel_compatible"],
                     timebase=int(options["keel_timebase"]),
                     memory_mib=memory_mib(options.get("keel_memory") or qemu_memory(tgt)))
    except KeyError as exc:
        raise pytest.UsageError(f"{env.config_file}: target {target!r} lacks option "
                                f"{exc.args[0]}") from exc


@pytest.fixture(scope="session")
def board(env):
    return board_for(env, "main")


@pytest.fixture(scope="session")
def uboot_board(env):
    return board_for(env, "uboot")


def pytest_generate_tests(metafunc):
    """`smp` takes every hart count the environment lists for its main target;
    `stress_smp` every hart count it lists for stress (`keel_stress_smp`, default the
    counts of `keel_smp_configs` above one)."""
    for name, attr in (("smp", "smp_configs"), ("stress_smp", "stress_smp")):
        if name in metafunc.fixturenames:
            env = metafunc.config.stash[LABGRID_ENV_KEY]
            configs = getattr(board_for(env, "main"), attr)
            metafunc.parametrize(name, configs, ids=[f"smp{n}" for n in configs])
