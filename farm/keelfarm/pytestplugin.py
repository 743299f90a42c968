"""pytest plugin for Keel targets, on top of labgrid's own plugin (`--lg-env`).

Boots as fixtures.  `keel_boot(smp=, append=, until=)` boots the environment's target
with the strategy, writes the boot's console to `<log dir>/<env>/<test>.log` and attaches
the log path, the exit status and the boot-stage times to the test as user properties
(they land in JUnit XML).  A failing test shows the end of its console.

A logged-in shell.  `keel_shell` boots the main target without init= to the
strategy's `shell` state (the environment's ShellDriver logs in on the console) and
gives `run(cmd)` → (output, exit status); `keel_boot(until="shell")` does it for a
boot of the test's own.

KTAP cases as tests.  A test that takes the `ktap_case` argument and carries
`@pytest.mark.ktap(append="ktest")` is expanded into one test per KTAP case the target
reports, named after the case (`test_ktest[chan/send]`), plus one `ktap-run` test for the
run as a whole (structure, the kernel's own summary line, the power-off).  Case names exist
only once the target has run, so the run happens while pytest collects: once per
(environment, target, harts, command line), shared by every test that asks for it.  A
run that died part-way fails every case it never reported.  Note that collecting such a
test (even with `--collect-only` or a `-k` that deselects it) boots the target; a `-m`
expression that deselects it does not.

Programs sharing one boot.  A runner such as /bin/conf-all prints each program it runs as
a subtest of one KTAP document.  `@pytest.mark.ktap(append="init=/bin/conf-all a b",
subtest="a")` takes only subtest `a`'s cases, named as if `a` had booted alone
(`test_a[page/what]`), and a `ktap-run` that checks `a`'s part: its result line (how
the program ended), its own `a: done` summary, a crash in its lines.  The run's own end
(the runner's summary, the power-off, the exit status) is checked by a test marked
`whole_run=True`, whose only result is the run's `ktap-run`.  Every test naming the same
(target, harts, command line) shares the one boot.

Crashes fail tests with one line.  A panic, a user-mode fault report or the kernel's own
boot-failure line in a boot's console, or a console that stayed quiet for
`--keel-hang-timeout` seconds while a test waited on it, fails the test (or the KTAP run)
with the crash signature first (`signature.Crash.signature`: reason with numbers
normalized, top frame symbolized against `--keel-kernel-elf`), and the signature, its
group and its frames become JUnit properties (`crash_signature`, `crash_group`,
`crash_kind`, `crash_frames`).  A test that provokes a crash on purpose says so:
`keel_boot(append="panic", until="exit", expect_crash="panic")`.  Benchmark figures a
boot printed (`kbench:` lines, the boot's instruction count) become `bench:<name>`
properties, and the git description in the kernel's banner `kernel_build`.
"""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from labgrid.pytestplugin.hooks import LABGRID_ENV_KEY

from . import boothealth, lineatomic
from . import driver as _driver  # noqa: F401 - registers the drivers with labgrid
from . import strategy as _strategy  # noqa: F401 - registers the strategies
from .console import ConsoleRecorder, parse_ktest_summary
from .ktap import Case, KtapParser, KtapRun, Status
from .results.signature import HANG, Crash, ProgramSymbolizers, Symbolizer, find_crash

DEFAULT_KTAP_TIMEOUT = 180.0
DEFAULT_HANG_TIMEOUT = 30.0
EXIT_GRACE = 20.0  # seconds the target may take to power off after `keel: ktest done`
EXCERPT_LINES = 40

_RUNS = pytest.StashKey[dict]()
_BOOTER = pytest.StashKey["KeelBooter"]()
_SYMBOLIZER = pytest.StashKey[object]()
_PROGRAMS = pytest.StashKey[object]()
CRASH_WORDS = {"panic": "kernel panicked", "user-fault": "a program faulted",
               "boot-failure": "the boot failed", "hang": "the target hung"}


def pytest_addoption(parser):
    group = parser.getgroup("keelfarm")
    group.addoption("--keel-log-dir", default=None, metavar="DIR",
                    help="where boot console logs go (default: ./build/test-logs); "
                         "one subdirectory per environment file")
    group.addoption("--keel-ktap-timeout", type=float, default=DEFAULT_KTAP_TIMEOUT,
                    metavar="SECONDS", help="bound on one KTAP run from power-on to exit")
    group.addoption("--keel-hang-timeout", type=float, default=DEFAULT_HANG_TIMEOUT,
                    metavar="SECONDS", help="a console quiet this long while a test waits "
                    f"on it is a hang (default {DEFAULT_HANG_TIMEOUT:.0f})")
    group.addoption("--keel-kernel-elf", default=None, metavar="FILE",
                    help="kernel ELF with symbols for crash signatures "
                         "(default: <rootdir>/build/os/kernel.elf)")
    group.addoption("--keel-per-commit", action="store_true",
                    help="leave out what the environment's keel_per_commit option says a "
                         "per-commit run there leaves out (keelfarm/selection.py; "
                         "tests/run.sh and farm ci pass it)")
    group.addoption("--keel-program-dir", default=None, metavar="DIR",
                    help="user programs' ELF files, by name, for user-fault signatures "
                         "(default: <rootdir>/build/os/bin)")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "ktap(append='ktest', smp=None, target='main', timeout=None, subtest=None, "
        "whole_run=False): expand the test's `ktap_case` argument into one test per KTAP "
        "case of a boot with this kernel command line (only subtest `subtest`'s cases; "
        "only the run's own result)")
    config.stash[_RUNS] = {}


def pytest_sessionstart(session):
    # labgrid's plugin reads --lg-env in its pytest_configure; collection (where -m and
    # --deselect act, and where KTAP tests boot) comes after this
    apply_selection(session.config)


def apply_selection(config) -> None:
    """Leave out what the environment's main target cannot run, and with
    --keel-per-commit what its per-commit run leaves out (keelfarm/selection.py), by
    folding them into -m and --deselect."""
    from .selection import SelectionError, cannot_run, mark_expression, per_commit
    env = config.stash.get(LABGRID_ENV_KEY, None)
    if env is None:
        if config.getoption("keel_per_commit"):
            raise pytest.UsageError("--keel-per-commit needs a labgrid environment (--lg-env)")
        return
    options = (env.config.get_targets().get("main") or {}).get("options")
    try:
        tests = cannot_run(options)
        not_marked = []
        if config.getoption("keel_per_commit"):
            not_marked, more = per_commit(options)
            tests += more
    except SelectionError as e:
        raise pytest.UsageError(f"{env.config_file}: {e}") from None
    config.option.markexpr = mark_expression(config.option.markexpr, not_marked) or ""
    config.option.deselect = [*(config.option.deselect or []), *tests]


# -- logs ------------------------------------------------------------------------------

def log_dir(config) -> Path:
    """`<log dir>/<environment name>/`, created on demand."""
    base = Path(config.getoption("keel_log_dir") or Path.cwd() / "build" / "test-logs")
    env = config.stash.get(LABGRID_ENV_KEY, None)
    name = Path(env.config_file).stem if env is not None else "no-env"
    path = base / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_name(text: str) -> str:
    """A file name from a test name: `test_boot[smp4]` → `test_boot-smp4`."""
    text = text.replace("[", "-").replace("]", "").replace("::", ".")
    return re.sub(r"[^A-Za-z0-9_.=+-]", "_", text)


def stage_properties(recorder: ConsoleRecorder, prefix: str = "") -> list[tuple[str, str]]:
    """Console log, boot-stage times and benchmark figures of one boot."""
    props = [(f"{prefix}console_log", str(recorder.log_path))]
    props += [(f"{prefix}stage_{name}", f"{t:.3f}") for name, t in recorder.boot.stages.items()]
    props += [(f"{prefix}bench:{name}", f"{value:g}")
              for name, value in recorder.boot.figures.items()]
    if recorder.boot.banner is not None:  # what was booted, as the kernel says
        props.append((f"{prefix}kernel_build", recorder.boot.banner.git))
    return props


def crash_properties(crash: Crash, prefix: str = "",
                     expected: bool = False) -> list[tuple[str, str]]:
    """A crash as JUnit properties.  `expected`: the boot provoked it on purpose
    (`expect_crash`), so it explains nothing about the test's verdict and the results
    database does not file a failure under it (results/junit.py)."""
    props = [(f"{prefix}crash_signature", crash.signature),
             (f"{prefix}crash_group", crash.group), (f"{prefix}crash_kind", crash.kind)]
    if crash.frames:
        props.append((f"{prefix}crash_frames", crash.stack()))
    if expected:
        props.append((f"{prefix}crash_expected", "yes"))
    return props


# -- crashes ---------------------------------------------------------------------------

def kernel_symbolizer(config) -> Symbolizer | None:
    """The session's symbolizer for the kernel ELF (None if the file is missing)."""
    if _SYMBOLIZER not in config.stash:
        elf = config.getoption("keel_kernel_elf") or config.rootpath / "build/os/kernel.elf"
        config.stash[_SYMBOLIZER] = Symbolizer.for_kernel(elf, source_root=config.rootpath)
    return config.stash[_SYMBOLIZER]


def program_symbolizers(config) -> ProgramSymbolizers:
    """The session's symbolizers for user programs, by program name."""
    if _PROGRAMS not in config.stash:
        directory = config.getoption("keel_program_dir") or config.rootpath / "build/os/bin"
        config.stash[_PROGRAMS] = ProgramSymbolizers(directory, source_root=config.rootpath)
    return config.stash[_PROGRAMS]


def env_target(env, name: str):
    """The environment's target `name`, or the target that stands for it: a board boots
    with all its harts, so its environment lets its `main` target stand for `onehart`
    (option `keel_stands_for: [onehart]`).  None if neither exists."""
    target = env.get_target(name)
    if target is not None:
        return target
    for other, config in env.config.get_targets().items():
        if name in ((config or {}).get("options") or {}).get("keel_stands_for", []):
            return env.get_target(other)
    return None


def boot_strategy(target):
    """The target's strategy (a KeelBootProtocol), keeping a farm board's health from
    its boots (boothealth.py)."""
    strategy = target.get_driver("Strategy")
    boothealth.attach(strategy, target)
    return strategy


def target_stopped(strategy, exit_status: int | None = None) -> bool:
    """True if the target ended by itself: an exit status, a QEMU that is gone, or the
    kernel's power-off line (a board keeps its console after power-off)."""
    if exit_status is not None:
        return True
    rec = getattr(strategy, "recorder", None)
    if rec is not None and "poweroff" in rec.boot.stages:
        return True
    qemu = getattr(strategy, "qemu", None)
    return qemu is not None and hasattr(qemu, "poll") and qemu.poll() is not None


def console_crash(config, lines, *, quiet_for: float | None,
                  hang_after: float | None = None, expected: str | None = None
                  ) -> Crash | None:
    """The crash in a console (see signature.find_crash) with this session's symbolizers
    and hang timeout (or `hang_after`); `quiet_for` None means the console cannot have
    hung (it ended); a crash of the `expected` kind gives way to one of another kind."""
    return find_crash(lines, symbolizer=kernel_symbolizer(config), quiet_for=quiet_for,
                      hang_after=config.getoption("keel_hang_timeout") if hang_after is None
                      else hang_after,
                      user_symbolizers=program_symbolizers(config), expected=expected)


# -- boots as fixtures -----------------------------------------------------------------

@dataclass
class KeelBoot:
    """One boot made by `keel_boot`: its recorder and how the target ended (if it did)."""

    target: str
    smp: int | None
    append: str | None
    recorder: ConsoleRecorder
    exit_status: int | None = None
    expect_crash: str | None = None  # the crash kind this boot provokes on purpose
    hang_timeout: float = DEFAULT_HANG_TIMEOUT
    quiet_for: float | None = None  # silence when the test stopped waiting; None: ended
    crash: Crash | None = None
    exit_wait: str | None = None  # how until="exit" ended (KeelBooter._wait_exit)
    hang_harts: str = ""  # where each hart was when that wait gave up on a quiet console

    @property
    def console(self):
        """The parsed contract lines and stage times (`BootConsole`)."""
        return self.recorder.boot

    @property
    def log_path(self) -> Path | None:
        return self.recorder.log_path

    @property
    def lines(self) -> list[str]:
        return [line.text for line in self.recorder.lines]


class KeelBooter:
    """The `keel_boot` fixture: boots the target, keeps each boot's log and properties."""

    def __init__(self, env, node, directory: Path):
        self.env = env
        self.node = node
        self.directory = directory
        self.boots: list[KeelBoot] = []
        self._boot_strategies = []  # the strategy of each boot
        self._strategies = []

    def strategy(self, target: str = "main"):
        tgt = env_target(self.env, target)
        if tgt is None:
            pytest.fail(f"environment {self.env.config_file} has no target {target!r}",
                        pytrace=False)
        strategy = boot_strategy(tgt)
        if strategy not in self._strategies:
            self._strategies.append(strategy)
        return strategy

    def __call__(self, *, smp: int | None = None, append: str | None = None,
                 until: str | None = "online", timeout: float | None = None,
                 target: str = "main", expect_crash: str | None = None,
                 hang_timeout: float | None = None,
                 deterministic: bool | str = False, reboots: bool = False) -> KeelBoot:
        """Boot `target`.

        until="online": wait for `keel: all harts online` (the strategy's `booted`
        state; a failed boot fails the test with the console's last lines);
        until="shell": booted and logged in through the environment's ShellDriver (the
        strategy's `shell` state; `append` must not name init=);
        until="exit": wait up to `timeout` (default 120) seconds for the target to stop by
        itself and keep its status in `exit_status` (None: it did not, or its console
        stayed quiet for the hang timeout);
        until=None: only power on.
        expect_crash: a crash kind ("panic", "user-fault") this boot provokes on purpose;
        any other crash fails the test with its signature.
        hang_timeout: seconds of console silence that make this boot a hang (default
        `--keel-hang-timeout`); a boot that is quiet on purpose for longer says so.
        deterministic: instruction counts as the guest's clock where the target can (QEMU
        `-icount`), for benchmarks; "idle-real-time": the same while the guest runs, the
        host's pace while it idles (a guest that waits on its disk).
        reboots: a reset the kernel asks for (shutdown -r) boots the target again, which
        the test follows with `strategy.boot_again()`; without it a QEMU target ends.
        """
        strategy = self.strategy(target)
        suffix = f".{len(self.boots) + 1}" if self.boots else ""
        path = self.directory / f"{log_name(self.node.name)}{suffix}.log"
        strategy.configure(smp=smp, append=append, log_path=path, deterministic=deterministic,
                           reboots=reboots)
        if until in ("online", "shell"):
            try:
                strategy.transition("booted" if until == "online" else "shell")
            finally:
                self._keep(target, strategy, hang_timeout, expect_crash)
        else:
            strategy.power_on()
            self._keep(target, strategy, hang_timeout, expect_crash)
            if until == "exit":
                self._wait_exit(strategy, 120.0 if timeout is None else timeout)
            elif until is not None:
                raise ValueError(f"keel_boot: unknown until={until!r}")
        return self.boots[-1]

    def _wait_exit(self, strategy, timeout: float) -> None:
        """Wait for the last boot's target to stop by itself; keep its status and how
        the wait ended (`exit_wait`, a property of the test: a test that finds a line
        missing can tell a target that stopped early from a wait that gave up)."""
        boot = self.boots[-1]
        rec, hang = strategy.recorder, boot.hang_timeout
        start = time.monotonic()
        boot.exit_status = strategy.wait_exit(timeout, until=lambda: rec.quiet_for() >= hang)
        waited = time.monotonic() - start
        if target_stopped(strategy, boot.exit_status):
            how = "stopped"
        elif rec.quiet_for() >= hang:
            how = f"gave up: console quiet for {rec.quiet_for():.1f} s (hang timeout {hang:g} s)"
            boot.hang_harts = describe_harts(strategy, kernel_symbolizer(self.node.config))
        else:
            how = f"gave up: no end within {timeout:g} s"
        boot.exit_wait = f"{how} after {waited:.1f} s, {len(rec.lines)} lines"

    def _keep(self, target: str, strategy, hang_timeout: float | None,
              expect_crash: str | None) -> None:
        if strategy.recorder is not None and all(
                b.recorder is not strategy.recorder for b in self.boots):
            hang = self.node.config.getoption("keel_hang_timeout") if hang_timeout is None \
                else hang_timeout
            self.boots.append(KeelBoot(target, strategy.smp, strategy.append,
                                       strategy.recorder, expect_crash=expect_crash,
                                       hang_timeout=hang))
            self._boot_strategies.append(strategy)

    def find_crash(self, boot: KeelBoot) -> Crash | None:
        """The crash in `boot`'s console so far (a panic, fault or boot failure; a hang is
        only judged when the test ends)."""
        return console_crash(self.node.config, boot.lines, quiet_for=None)

    def find_crashes(self, failed: bool) -> None:
        """Set each boot's `crash` from its console as it is now (before the targets are
        switched off).  A quiet console counts as a hang only if the test failed: a
        passing test may well have waited on a quiet target on purpose."""
        for boot, strategy in zip(self.boots, self._boot_strategies, strict=True):
            stopped = target_stopped(strategy, boot.exit_status) or (
                strategy.recorder is not boot.recorder)
            boot.quiet_for = None if stopped else boot.recorder.quiet_for()
            boot.crash = console_crash(self.node.config, boot.recorder.all_lines(),
                                       quiet_for=boot.quiet_for if failed else None,
                                       hang_after=boot.hang_timeout,
                                       expected=boot.expect_crash)
            if boot.crash is not None and boot.crash.kind == HANG and boot.hang_harts:
                boot.crash.details.append(f"harts when the wait gave up: {boot.hang_harts}")

    def unexpected_crashes(self) -> list[tuple[KeelBoot, Crash]]:
        return [(b, b.crash) for b in self.boots
                if b.crash is not None and b.crash.kind != b.expect_crash]

    def finish(self) -> None:
        for strategy in self._strategies:
            strategy.transition("off")
        for index, boot in enumerate(self.boots):
            prefix = f"boot{index + 1}_" if index else ""
            self.node.user_properties.extend(stage_properties(boot.recorder, prefix))
            if boot.exit_status is not None:
                self.node.user_properties.append((f"{prefix}exit_status",
                                                  str(boot.exit_status)))
            if boot.exit_wait is not None:
                self.node.user_properties.append((f"{prefix}exit_wait", boot.exit_wait))
            if boot.hang_harts:
                self.node.user_properties.append((f"{prefix}hang_harts", boot.hang_harts))
            if boot.crash is not None:
                self.node.user_properties.extend(crash_properties(
                    boot.crash, prefix, expected=boot.crash.kind == boot.expect_crash))


@pytest.fixture
def keel_boot(request, env):
    """Factory fixture: `keel_boot(smp=4, append="ktest", until="online")` → KeelBoot."""
    booter = KeelBooter(env, request.node, log_dir(request.config))
    request.node.stash[_BOOTER] = booter
    yield booter
    booter.finish()


@pytest.fixture(scope="module")
def keel_module_boot(request, env):
    """keel_boot for a whole module (boot once per suite): the module's tests share its
    boots, in order.  Each test that uses it has its report checked against those
    boots' consoles (panics, faults, hangs) as keel_boot's are.  The boots' stage and
    crash properties have no test to go to and are left out of the JUnit file."""
    node = SimpleNamespace(name=request.node.name, config=request.config, user_properties=[])
    booter = KeelBooter(env, node, log_dir(request.config))
    yield booter
    booter.finish()


class KeelShell:
    """A logged-in shell on the target's console (the `keel_shell` fixture)."""

    def __init__(self, strategy, boot: KeelBoot):
        self.strategy = strategy
        self.boot = boot

    def run(self, command: str, timeout: float = 30.0) -> tuple[str, int]:
        """Run `command` in a fresh `sh -c` of the login shell: (its output, one line
        per line, each ending in a newline; its exit status)."""
        lines, _, status = self.strategy.shell.run(command, timeout=timeout)
        return "".join(line + "\n" for line in lines), status


@pytest.fixture
def keel_shell(keel_boot):
    """The main target booted without init= and logged in (the strategy's `shell`
    state, with the environment's ShellDriver account) → KeelShell."""
    boot = keel_boot(append="", until="shell")
    return KeelShell(keel_boot.strategy(), boot)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    booter = item.stash.get(_BOOTER, None)
    if booter is None:
        booter = getattr(item, "funcargs", {}).get("keel_module_boot")
    if booter is None or call.when != "call":
        return report
    booter.find_crashes(report.failed)
    crashes = booter.unexpected_crashes()
    if crashes and not report.skipped:
        fail_with_crashes(report, crashes)
    if report.failed:
        for boot in booter.boots:
            waited = "".join(f"{what}: {text}\n" for what, text in
                             (("the wait", boot.exit_wait), ("harts", boot.hang_harts)) if text)
            report.sections.append((f"keel console {boot.log_path}",
                                    waited + boot.recorder.tail(25)))
    return report


def fail_with_crashes(report, crashes: list[tuple[KeelBoot, Crash]]) -> None:
    """Make `report` a failure whose first line is the first crash's signature."""
    parts = []  # describe() starts with the signature
    for boot, crash in crashes:
        parts.append(f"{crash.describe()}\nconsole log {boot.log_path} "
                     f"(line {crash.lineno or '-'})")
    if report.failed and report.longrepr is not None:
        parts.append(f"the test failed too:\n{report.longrepr}")
    report.outcome = "failed"
    report.longrepr = "\n".join(parts)


# -- KTAP cases as tests ---------------------------------------------------------------

@dataclass
class KtapRecord:
    """One boot's KTAP run, shared by all tests that asked for this configuration."""

    label: str
    run: KtapRun | None = None
    recorder: ConsoleRecorder | None = None
    exit_status: int | None = None
    ended: str = ""
    error: str = ""
    seconds: float = 0.0
    crash: Crash | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)
    hang_harts: str = ""            # where each hart was when the console went quiet

    def excerpt(self, first: int, last: int) -> str:
        if self.recorder is None:
            return ""
        lines = [line.text for line in self.recorder.lines[max(0, first - 1):last]]
        if len(lines) > EXCERPT_LINES:
            lines = ["..."] + lines[-EXCERPT_LINES:]
        return "\n".join("    " + line for line in lines)


def describe_harts(strategy, symbolizer: Symbolizer | None) -> str:
    """Where each hart of a quiet target is, from the strategy's `hart_pcs()` (QEMU
    places have it; a board has no such window and gets ""): kernel addresses with their
    function and line, others (user programs, firmware) as bare addresses.  All harts
    in the idle loop means everything waits for something that never comes; one
    spinning in the kernel is a different bug."""
    pcs = getattr(strategy, "hart_pcs", lambda: [])()
    if not pcs:
        return ""
    kernel = [pc for _, pc in pcs if pc >> 63]
    names: dict[int, str] = {}
    if symbolizer is not None and kernel:
        with contextlib.suppress(OSError):
            names = {a: frames[0].where() for a, frames in symbolizer.lookup(kernel).items()}
    groups: dict[str, list[int]] = {}      # harts at one place share a line
    for cpu, pc in pcs:
        where = f"pc {pc:#x} " + (names.get(pc, "in the kernel") if pc >> 63 else
                                  "outside the kernel")
        groups.setdefault(where, []).append(cpu)
    return "; ".join(f"CPU#{','.join(map(str, cpus))} {where}"
                     for where, cpus in groups.items())


def run_ktap(strategy, *, smp=None, append="ktest", log_path=None,
             timeout=DEFAULT_KTAP_TIMEOUT, label="ktap", hang_after=DEFAULT_HANG_TIMEOUT,
             symbolizer: Symbolizer | None = None,
             programs: ProgramSymbolizers | None = None) -> KtapRecord:
    """Boot with `append`, parse KTAP line by line until the target stops by itself (QEMU
    exits; a board's strategy decides what counts as stopped), its console stays quiet
    for `hang_after` seconds, or `timeout` passes.  A crash (panic, fault, hang) is kept
    in `crash`, symbolized with `symbolizer`."""
    record = KtapRecord(label=label)
    parser = KtapParser()
    start = time.monotonic()
    quiet = None
    strategy.configure(smp=smp, append=append, log_path=log_path)
    try:
        rec = record.recorder = strategy.power_on()
        # Line numbers count from power-on: a board's strategy has read the boot
        # loader's lines already (farm_problems slices the recorder's lines by them).
        rec.add_listener(lambda line: parser.feed(line.text), replay=True)
        status = strategy.wait_exit(timeout, until=lambda: rec.boot.ktest is not None
                                    or rec.quiet_for() >= hang_after)
        if not target_stopped(strategy, status):
            quiet = rec.quiet_for()
        if status is None and rec.boot.ktest is None and quiet is not None \
                and quiet >= hang_after:
            record.ended = (f"no console output for {quiet:.0f} s; the target was "
                            "switched off")
            record.hang_harts = describe_harts(strategy, symbolizer)
        elif status is None and rec.boot.ktest is not None:
            status = strategy.wait_exit(EXIT_GRACE)
            if status is None:
                record.ended = (f"the target still ran {EXIT_GRACE:.0f} s after "
                                "'keel: ktest done'")
        elif status is None:
            record.ended = f"no end within {timeout:.0f} s; the target was switched off"
        record.exit_status = status
        if status is not None:
            record.ended = (f"the target stopped with exit status {status} "
                            f"{time.monotonic() - start:.1f} s after power-on")
    except Exception as exc:  # any failure to boot becomes the run's error
        record.error = f"{type(exc).__name__}: {exc}"
        record.ended = "the boot failed"
    finally:
        strategy.transition("off")
    record.seconds = time.monotonic() - start
    record.run = parser.finish(record.ended)
    if record.recorder is not None:
        record.properties = stage_properties(record.recorder)
        record.crash = find_crash(record.recorder.all_lines(),
                                  symbolizer=symbolizer, quiet_for=quiet,
                                  hang_after=hang_after, user_symbolizers=programs)
        if record.crash is not None:
            record.properties += crash_properties(record.crash)
    if record.hang_harts:
        record.properties.append(("hang_harts", record.hang_harts))
    record.properties.append(("ktap_run_seconds", f"{record.seconds:.1f}"))
    return record


# A retried latency case says how many attempts it needed (`# attempts: N`).
ATTEMPTS_RE = re.compile(r"^attempts: (\d+)$")


class KtapCaseResult:
    """The value of `ktap_case` for one case: `check()` turns its verdict into pytest's."""

    def __init__(self, record: KtapRecord, case: Case, case_id: str | None = None):
        self.record = record
        self.case = case
        self.id = case.id if case_id is None else case_id

    def properties(self) -> list[tuple[str, str]]:
        props = [("console_log", str(self.record.recorder.log_path))]
        if self.case.lineno is not None:
            props.append(("ktap_line", str(self.case.lineno)))
        if self.case.status == Status.MISSING and self.record.crash is not None:
            props += crash_properties(self.record.crash)
        attempts = [m.group(1) for m in map(ATTEMPTS_RE.match, self.case.diagnostics) if m]
        if attempts:
            props.append(("attempts", attempts[-1]))
        return props

    def farm_problems(self) -> list[str]:
        """What the farm finds wrong in a passed case's own console output (cases whose
        output nothing on the target reads back)."""
        case, rec = self.case, self.record
        if case.id != lineatomic.CASE or case.status != Status.PASS or rec.recorder is None:
            return []
        banner = rec.recorder.boot.banner
        if banner is None:
            return ["no banner: cannot tell how many harts printed"]
        lines = [line.text for line in rec.recorder.lines[max(0, case.first_lineno - 1):
                                                          case.lineno]]
        return lineatomic.problems(lines, banner.nharts)

    def check(self) -> None:
        case = self.case
        if case.status == Status.SKIP:
            pytest.skip(f"skipped on the target: {case.reason or 'no reason given'}")
        if case.status == Status.TODO:
            pytest.xfail(f"TODO on the target: {case.reason or 'no reason given'}")
        farm_problems = self.farm_problems()
        if not case.failed and not farm_problems:
            return
        where = f"console line {case.lineno}" if case.lineno else "no result line"
        parts = [f"KTAP case {case.id!r} {case.status.value} ({where}; "
                 f"log {self.record.recorder.log_path})"]
        if case.status == Status.MISSING and self.record.crash is not None:
            parts.insert(0, self.record.crash.signature)
        if case.reason:
            parts.append(case.reason)
        parts += [f"subtest problem: {p}" for p in case.problems]
        parts += [f"farm check: {p}" for p in farm_problems]
        if case.diagnostics:
            parts.append("diagnostics:\n" + "\n".join("    # " + d for d in case.diagnostics))
        last = case.lineno or self.record.run.last_lineno
        excerpt = self.record.excerpt(case.first_lineno, last)
        if excerpt:
            parts.append(f"console lines {case.first_lineno}..{last}:\n{excerpt}")
        pytest.fail("\n".join(parts), pytrace=False)


class KtapRunResult:
    """The value of `ktap_case` for the run as a whole (id `ktap-run`)."""

    id = "ktap-run"

    def __init__(self, record: KtapRecord):
        self.record = record

    def properties(self) -> list[tuple[str, str]]:
        return list(self.record.properties)

    def problems(self) -> list[str]:
        rec = self.record
        if rec.error:
            tail = rec.recorder.tail() if rec.recorder else ""
            return [f"{rec.label}: {rec.error}\n{tail}".rstrip()]
        out = [f"KTAP: {p}" for p in rec.run.problems]
        boot = rec.recorder.boot
        if rec.crash is not None:
            out.append(f"{CRASH_WORDS[rec.crash.kind]} at console line "
                       f"{rec.crash.lineno or '-'}: {rec.crash.describe()}")
        if boot.ktest is None:
            out.append(f"no 'keel: ktest done' line ({rec.ended})")
        else:
            out += summary_mismatch(rec.run, boot.ktest)
        if rec.hang_harts:
            out.append(f"the harts when the console had gone quiet: {rec.hang_harts}")
        if rec.exit_status is None:
            out.append(f"the target did not power off by itself: {rec.ended}")
        elif rec.exit_status != 0:
            out.append(f"exit status {rec.exit_status}")
        return out

    def check(self) -> None:
        problems = self.problems()
        if problems:
            log = self.record.recorder.log_path if self.record.recorder else None
            head = f"{self.record.crash.signature}\n" if self.record.crash else ""
            pytest.fail(f"{head}{self.record.label} (log {log}):\n" + "\n".join(
                "- " + p for p in problems), pytrace=False)


def summary_mismatch(run: KtapRun, summary) -> list[str]:
    """The kernel's `ktest done: P passed, F failed` must agree with the KTAP results.

    Over the top-level cases: F counts the `not ok` results (without a directive), and
    P + F every result that was reported.
    """
    return cases_mismatch(run.cases, summary, "kernel summary")


def cases_mismatch(cases: list[Case], summary, who: str) -> list[str]:
    """`summary` (P passed, F failed) against one level's cases (see summary_mismatch)."""
    reported = [c for c in cases if c.status != Status.MISSING]
    failed = sum(c.status == Status.FAIL for c in reported)
    passed = len(reported) - failed
    if (summary.passed, summary.failed) == (passed, failed):
        return []
    return [f"{who} says {summary.passed} passed, {summary.failed} failed; the "
            f"KTAP results show {passed} passed, {failed} failed"]


class KtapSubtestRunResult:
    """The value of `ktap_case` (id `ktap-run`) for one program of a shared run (marker
    `subtest=`): what its own boot's `ktap-run` checked that is the program's own, in
    its subtest's lines.  The run's end is the `whole_run` test's."""

    id = "ktap-run"

    def __init__(self, record: KtapRecord, name: str):
        self.record = record
        self.name = name
        self.case = find_subtest(record, name)

    def lines(self) -> list:
        """The subtest's console lines (ConsoleLine), from its first to its result."""
        rec, case = self.record, self.case
        if rec.recorder is None or case is None:
            return []
        last = case.lineno or rec.run.last_lineno
        return rec.recorder.lines[max(0, case.first_lineno - 1):last]

    def properties(self) -> list[tuple[str, str]]:
        props = [("ktap_subtest", self.name)]
        if self.record.recorder is not None:
            props.append(("console_log", str(self.record.recorder.log_path)))
        lines = self.lines()
        if lines:
            props.append(("ktap_subtest_seconds", f"{lines[-1].t - lines[0].t:.1f}"))
        crash = self.own_crash()
        if crash is not None:
            props += crash_properties(crash)
        return props

    def own_crash(self) -> Crash | None:
        """The run's crash if it is this program's: in its lines, or what ended the run
        before the program's result line."""
        crash, case = self.record.crash, self.case
        if crash is None:
            return None
        if case is None or case.status == Status.MISSING:
            return crash
        return crash if crash.lineno and case.first_lineno <= crash.lineno <= case.lineno \
            else None

    def summary(self):
        """The program's own `<name>: done: P passed, F failed` line, parsed (or None)."""
        for line in self.lines():
            text = line.text.strip()
            if text.startswith(f"{self.name}: done: "):
                return parse_ktest_summary(text)
        return None

    def problems(self) -> list[str]:
        rec, case = self.record, self.case
        if rec.error:
            tail = rec.recorder.tail() if rec.recorder else ""
            return [f"{rec.label}: {rec.error}\n{tail}".rstrip()]
        if case is None:
            out = [f"no subtest {self.name!r} in the run ({rec.ended})"]
        else:
            out = [f"KTAP: {p}" for p in case.problems]
            if case.status == Status.MISSING:
                out.append(f"{self.name} has no result line: {case.reason}")
            elif case.status != Status.PASS:
                out.append(f"{self.name} {case.status.value}: "
                           + ("; ".join(case.diagnostics) or "no diagnostic"))
            summary = self.summary()
            if summary is None:
                out.append(f"no '{self.name}: done' line")
            else:
                out += cases_mismatch(case.children, summary, f"'{self.name}: done'")
        crash = self.own_crash()
        if crash is not None:
            out.append(f"{CRASH_WORDS[crash.kind]} at console line {crash.lineno or '-'}: "
                       f"{crash.describe()}")
        if rec.hang_harts and (case is None or case.status == Status.MISSING):
            out.append(f"the harts when the console had gone quiet: {rec.hang_harts}")
        return out

    def check(self) -> None:
        problems = self.problems()
        if problems:
            log = self.record.recorder.log_path if self.record.recorder else None
            crash = self.own_crash()
            head = f"{crash.signature}\n" if crash else ""
            pytest.fail(f"{head}{self.name} in {self.record.label} (log {log}):\n"
                        + "\n".join("- " + p for p in problems), pytrace=False)


def find_subtest(record: KtapRecord, name: str) -> Case | None:
    """The top-level case named `name` of the record's run (None if there is none)."""
    if record.run is None:
        return None
    return next((c for c in record.run.cases if c.name == name), None)


def subtest_results(record: KtapRecord, name: str) -> list:
    """The cases of subtest `name`, with ids as if it had been the whole run, and its
    `ktap-run`."""
    case = find_subtest(record, name) if not record.error else None
    cases = [] if case is None else [
        KtapCaseResult(record, c, "/".join(c.path[1:])) for child in case.children
        for c in child.walk()]
    return cases + [KtapSubtestRunResult(record, name)]


def ktap_results(record: KtapRecord) -> list:
    if record.run is None or record.error:
        return [KtapRunResult(record)]
    cases = [KtapCaseResult(record, case) for case in record.run.all_cases()]
    return cases + [KtapRunResult(record)]


def unique_ids(results) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for result in results:
        n = seen[result.id] = seen.get(result.id, 0) + 1
        ids.append(result.id if n == 1 else f"{result.id}~{n}")
    return ids


def _ktap_record(config, marker) -> KtapRecord:
    kwargs = dict(marker.kwargs)
    kwargs.pop("subtest", None)  # which results of the record a test takes
    kwargs.pop("whole_run", None)
    target = kwargs.pop("target", "main")
    smp = kwargs.pop("smp", None)
    append = kwargs.pop("append", "ktest")
    timeout = kwargs.pop("timeout", None) or config.getoption("keel_ktap_timeout")
    if kwargs or marker.args:
        raise pytest.UsageError(f"ktap marker: unexpected arguments {marker.args} {kwargs}")
    env = config.stash.get(LABGRID_ENV_KEY, None)
    label = f"KTAP run on target {target!r} (smp={smp}, append={append!r})"
    if env is None:
        return KtapRecord(label=label, error="no labgrid environment: pass --lg-env")
    tgt = env_target(env, target)
    # Keyed by the target that boots: where main stands for onehart (a board), the
    # one-hart suites share main's run instead of booting the same board again.
    key = (env.config_file, tgt.name if tgt is not None else target, smp, append)
    runs = config.stash[_RUNS]
    if key not in runs:
        if tgt is None:
            runs[key] = KtapRecord(label=label, error=f"environment has no target {target!r}")
        else:
            name = log_name(f"ktap-{tgt.name}-smp{smp or 'default'}-{append}")
            runs[key] = run_ktap(boot_strategy(tgt), smp=smp, append=append,
                                 log_path=log_dir(config) / f"{name}.log", timeout=timeout,
                                 label=label,
                                 hang_after=config.getoption("keel_hang_timeout"),
                                 symbolizer=kernel_symbolizer(config),
                                 programs=program_symbolizers(config))
    return runs[key]


def pytest_generate_tests(metafunc):
    if "ktap_case" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("ktap")
    if marker is None:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: a test taking ktap_case "
                                "needs @pytest.mark.ktap(...)")
    if deselected_by_mark(metafunc):
        # Every case would be deselected: do not boot for them.
        label = "KTAP run deselected by -m"
        results = [KtapRunResult(KtapRecord(label=label, error=f"{label}; not run"))]
    else:
        record = _ktap_record(metafunc.config, marker)
        subtest = marker.kwargs.get("subtest")
        if subtest is not None:
            results = subtest_results(record, subtest)
        elif marker.kwargs.get("whole_run"):
            results = [KtapRunResult(record)]
        else:
            results = ktap_results(record)
    metafunc.parametrize("ktap_case", results, ids=unique_ids(results))


def deselected_by_mark(metafunc) -> bool:
    """True if the `-m` expression deselects this test function whatever its parameters
    (markers are the function's, its class's and its module's).  Uses pytest's own
    marker matching (`_pytest.mark`, pytest is pinned) so the answer is pytest's."""
    expr = metafunc.config.option.markexpr
    if not expr:
        return False
    from _pytest.mark import MarkMatcher
    from _pytest.mark.expression import Expression
    matcher = MarkMatcher.from_markers(metafunc.definition.iter_markers())
    return not Expression.compile(expr).evaluate(matcher)


def pytest_collection_modifyitems(items):
    for item in items:
        result = getattr(item, "callspec", None) and item.callspec.params.get("ktap_case")
        if isinstance(result, KtapCaseResult | KtapRunResult | KtapSubtestRunResult):
            item.user_properties.extend(result.properties())
