"""Campaigns: one pytest suite run again and again on one place, every run stored.

A campaign on a local environment first freezes its build (snapshot.py): the images,
kernel ELF and programs it boots are copied, so `make` in the same tree during the
campaign changes nothing that it measures.

Each run is its own pytest process through labgrid (`--lg-env`), selected by a marker
expression (`-m <suite>`), writing JUnit XML and console logs into
`build/campaigns/<created>-<id>/run-<n>/`; when it ends, its JUnit file (with the Keel plugin's
properties) becomes one `RunRecord` and goes into the results database in one
transaction.

Why a process per run: a run that hangs, crashes the Python side or leaks a QEMU ends
with its process, and each run starts from the same state a developer's `pytest` would.

Stopping: the runs are started in their own session, so Ctrl-C reaches only the
campaign.  The first Ctrl-C lets the current run finish and be stored, then stops; the
second aborts the current run (pytest gets SIGINT and switches its targets off) and
stores nothing of it.  Either way the campaign is `interrupted` and `--resume` carries
on from the next run number.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FarmError
from ..lease import format_duration
from ..target import ENVS
from . import childguard
from .junit import JunitError, read_junit
from .resultsdb import (
    ERROR,
    FAILED,
    RUN_BROKEN,
    RUN_FAIL,
    RUN_PASS,
    SKIPPED,
    XFAILED,
    ResultRecord,
    ResultsDB,
    RunRecord,
    utcnow,
)
from .signature import HANG
from .snapshot import Build, freeze

DEFAULT_RUN_TIMEOUT = 1800.0
RUNNING, INTERRUPTED, DONE = "running", "interrupted", "done"
NO_TESTS = 5  # pytest's exit status when the marker selects nothing
BOARD_HUNG = "the board hung"  # how a broken run's note starts when its board went silent
# a failure that says the farm lost the board (serial, exporter, coordinator), not
# that the OS failed: the run is broken
PLACE_LOST_RE = re.compile(r"SerialException|NoResourceFoundError|ConnectionRefusedError|"
                           r"ConnectionResetError|BrokenPipeError|lost the coordinator|"
                           r"the board's (?:PDU|serial line) failed")


@dataclass(frozen=True)
class PlaceSpec:
    """Where a campaign runs: the labgrid environment and what to call it."""

    place: str  # environment name (local) or farm place
    target: str  # the kind of board: env name (local) or the place's board tag
    env: str  # environment file
    env_vars: dict[str, str] = field(default_factory=dict)  # LG_PLACE etc. for a place

    @property
    def on_board(self) -> bool:
        """True for a farm place (a board behind an exporter), False for a local QEMU."""
        return "LG_PLACE" in self.env_vars


def is_remote_env(path: str | Path) -> bool:
    """True if the environment file reaches its board through a farm place."""
    return "RemotePlace" in Path(path).read_text()


def resolve_place(place: str, env: str | None = None, *, coordinator=None,
                  envs: Path = ENVS) -> PlaceSpec:
    """`--place NAME [--env FILE]` -> PlaceSpec.

    A local environment (QEMU on this machine) is `--env FILE` or farm/envs/NAME.yaml
    without a RemotePlace; anything else is a farm place, which must be held by the
    caller (`farm reserve`), and whose environment comes from its board tag unless
    `--env` names one.  `coordinator` is a callable that returns a connected Coordinator
    context manager (only called for a farm place).
    """
    path = Path(env) if env else envs / f"{place}.yaml"
    if env and not path.is_file():
        raise FarmError(f"environment {env} not found")
    if path.is_file() and not is_remote_env(path):
        return PlaceSpec(place=place, target=path.stem, env=str(path))
    if coordinator is None:
        raise FarmError(f"{place}: no local environment {path} and no coordinator to ask")
    from ..lease import require_holder
    from ..target import env_file_for
    with coordinator() as coord:
        require_holder(coord, place, time.time())
        remote = coord.place(place)
        env_file = env_file_for(remote, env)
        target = remote.tags.get("board") or Path(env_file).stem
        return PlaceSpec(place=place, target=target, env=env_file,
                         env_vars={"LG_PLACE": place, "LG_COORDINATOR": coord.address})


def _git(repo, *args) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          timeout=30)


def commit_time(repo: str | Path, rev: str) -> dt.datetime | None:
    """Committer time (naive UTC) of `rev` in `repo`, None if git does not know it."""
    when = _git(repo, "log", "-1", "--format=%ct", rev)
    if when.returncode == 0 and when.stdout.strip().isdigit():
        return dt.datetime.fromtimestamp(int(when.stdout.strip()), dt.UTC).replace(tzinfo=None)
    return None


def git_commit(repo: str | Path = ".") -> tuple[str, dt.datetime | None]:
    """(`git describe --always --dirty`, committer time of HEAD in UTC) of `repo`;
    ("unknown", None) outside a git checkout."""
    describe = _git(repo, "describe", "--always", "--dirty")
    if describe.returncode != 0:
        return "unknown", None
    return describe.stdout.strip(), commit_time(repo, "HEAD")


def booted_build(record: RunRecord, repo: str | Path = ".") -> tuple[str, dt.datetime | None]:
    """The commit a run booted, as the kernel's banner names it (the build in the image
    need not be the checked-out HEAD), with its time; the record's own if no banner."""
    builds = Counter(r.kernel_build for r in record.results if r.kernel_build)
    if not builds:
        return record.commit, record.commit_time
    build = builds.most_common(1)[0][0]
    when = commit_time(repo, build.removesuffix("-dirty").rsplit("-g", 1)[-1])
    return build, when or record.commit_time


# -- one run -------------------------------------------------------------------------

@dataclass
class RunOutcome:
    started: dt.datetime
    duration: float
    exit_code: int | None  # None: aborted or timed out
    run_dir: Path
    aborted: bool = False
    timed_out: bool = False

    @property
    def junit(self) -> Path:
        return self.run_dir / "junit.xml"

    @property
    def output(self) -> Path:
        return self.run_dir / "pytest.out"


def pytest_command(env: str, suite: str, tests: str, run_dir: Path,
                   extra: list[str]) -> list[str]:
    run_dir = run_dir.resolve()  # log paths in the database hold wherever it is read
    return [sys.executable, "-m", "pytest", tests, f"--lg-env={env}", "-m", suite,
            "-p", "no:cacheprovider", f"--keel-log-dir={run_dir / 'logs'}",
            f"--junitxml={run_dir / 'junit.xml'}", "-o", "junit_family=xunit1",
            "-q", "-rfE", *extra]


def signal_group(child: subprocess.Popen, signum) -> None:
    """Send `signum` to a run's process group (the guard, pytest, its QEMU)."""
    if child.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signum)


class Stopper:
    """Ctrl-C handling for a campaign: the first request stops after the current runs,
    the second aborts them (SIGTERM counts as the second)."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self.requests = 0
        self.children: set[subprocess.Popen] = set()
        self._old = {}

    @property
    def stop(self) -> bool:
        return self.requests > 0

    @property
    def abort(self) -> bool:
        return self.requests > 1

    def __enter__(self) -> Stopper:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)

    def _handle(self, signum, frame) -> None:
        self.requests = 2 if signum == signal.SIGTERM else self.requests + 1
        if self.requests == 1:
            self.say("farm: stopping after the current run (Ctrl-C again aborts it)")
        else:
            self.say("farm: aborting the current run")
            for child in list(self.children):
                signal_group(child, signal.SIGINT)


class CampaignLock:
    """`<campaign dir>/campaign.lock`, held (flock) by the campaign and by every run's
    guard and pytest (childguard.py): free only when no process runs the campaign."""

    def __init__(self, base: Path, campaign_id: int):
        base.mkdir(parents=True, exist_ok=True)
        self.path = base / "campaign.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise FarmError(f"campaign {campaign_id} is still running: a process holds "
                            f"{self.path}") from None
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"{os.getpid()}\n".encode())

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> CampaignLock:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_suite(command: list[str], run_dir: Path, env_vars: dict[str, str],
              stopper: Stopper, timeout: float, cwd: Path | None = None,
              keep_fds: tuple[int, ...] = ()) -> RunOutcome:
    """Run one pytest process under the guard (childguard.py: it dies with us), in its
    own session and in `cwd`, with its output in pytest.out.  `keep_fds` stay open in
    the guard and pytest (the campaign's lock)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    started, t0 = utcnow(), time.monotonic()
    outcome = RunOutcome(started, 0.0, None, run_dir)
    fds = " ".join(str(fd) for fd in keep_fds)
    with open(outcome.output, "w") as out:
        child = subprocess.Popen(childguard.wrap(command), stdout=out,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True, pass_fds=keep_fds, cwd=cwd,
                                 env={**os.environ, **env_vars, "KEEL_GUARD_FDS": fds})
        stopper.children.add(child)
        try:
            while True:
                try:
                    outcome.exit_code = child.wait(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() - t0 > timeout and not outcome.timed_out:
                        outcome.timed_out = True
                        signal_group(child, signal.SIGINT)
                    elif outcome.timed_out and time.monotonic() - t0 > timeout + 60:
                        signal_group(child, signal.SIGKILL)
        finally:
            stopper.children.discard(child)
    outcome.duration = time.monotonic() - t0
    outcome.aborted = stopper.abort
    return outcome


def run_record(outcome: RunOutcome, spec: PlaceSpec, commit: str,
               commit_time: dt.datetime | None) -> RunRecord:
    """The stored form of a finished run.  `broken` when pytest did not produce
    results (no JUnit file, no tests, a usage or internal error, a timeout), every test
    errored before it ran, a test failed because the farm lost the board (its serial
    line or exporter went away), or a board went silent mid-test and every failure is
    that hang: none of these is a verdict on the OS.  (On a board a hang cannot tell a
    stuck kernel from a stuck board; the plugin has switched the board off, so the next
    run power-cycles it, and `farm triage` tells the two apart.  On local QEMU nothing
    but the OS can hang, so there it stays a failure.)"""
    record = RunRecord(commit=commit, commit_time=commit_time, target=spec.target,
                       place=spec.place, env=spec.env, started=outcome.started,
                       duration=round(outcome.duration, 3), verdict=RUN_BROKEN,
                       exit_code=outcome.exit_code, log_dir=str(outcome.run_dir.resolve()))
    try:
        record.results = read_junit(outcome.junit)
    except JunitError as exc:
        record.note = f"no results: {exc}; see {outcome.output}"
        return record
    counts = record.counts()
    if outcome.timed_out:
        record.note = f"timed out; see {outcome.output}"
    elif outcome.exit_code not in (0, 1) or counts["tests"] == 0:
        record.note = f"pytest exit status {outcome.exit_code}; see {outcome.output}"
    elif counts["passed"] == 0 and counts["failed"] and all(
            r.verdict in (ERROR, SKIPPED, XFAILED) for r in record.results):
        # every test stopped in its setup (no board, no exporter): no verdict on the OS
        first = next(r for r in record.results if r.verdict == ERROR)
        record.note = f"every test errored in setup: {first.message or '?'}"
    elif lost := next((r for r in record.results if r.verdict in (FAILED, ERROR)
                       and PLACE_LOST_RE.search(r.message or "")), None):
        record.note = f"lost the place: {lost.test}: {lost.message}"
    elif spec.on_board and (hung := board_hang(record.results)) is not None:
        record.note = (f"{BOARD_HUNG}: {hung.test}: {hung.signature or hung.message}; "
                       f"power-cycled for the next run")
    else:
        record.verdict = RUN_FAIL if counts["failed"] else RUN_PASS
    return record


def hung_on_board(run: dict) -> bool:
    """True for a stored run that is broken because its board went silent mid-test."""
    return run["verdict"] == RUN_BROKEN and (run.get("note") or "").startswith(BOARD_HUNG)


def board_hang(results) -> ResultRecord | None:
    """The first hung test when every failure among `results` is a hang (console
    silence), else None: one panic or failed check is evidence on the OS."""
    bad = [r for r in results if r.verdict in (FAILED, ERROR)]
    if bad and all(r.crash_kind == HANG for r in bad):
        return bad[0]
    return None


# -- progress --------------------------------------------------------------------------

@dataclass
class Tally:
    """What the runs so far add up to (from the database, so a resumed campaign counts
    its earlier runs too)."""

    runs: int = 0
    runs_passed: int = 0
    tests: int = 0
    tests_passed: int = 0
    seconds: float = 0.0
    counted: dict[str, float] = field(default_factory=dict)  # the tests' count:<name>

    def add(self, record: RunRecord) -> None:
        counts = record.counts()
        self.runs += 1
        self.runs_passed += record.verdict == RUN_PASS
        self.tests += counts["tests"] - counts["skipped"]
        self.tests_passed += counts["passed"]
        self.seconds += record.duration
        for result in record.results:
            for name, value in result.tallies.items():
                self.counted[name] = self.counted.get(name, 0.0) + value

    def counted_text(self) -> str:
        """'; counted: processes 110,016' (each name the tests counted), or ''."""
        if not self.counted:
            return ""
        return "; counted: " + ", ".join(f"{name} {value:,.0f}"
                                         for name, value in sorted(self.counted.items()))

    @staticmethod
    def rate(good: int, total: int) -> str:
        return f"{100.0 * good / total:.1f}%" if total else "-"


def eta(tally: Tally, runs_wanted: int | None, hours_wanted: float | None,
        places: int = 1) -> float | None:
    """Seconds left: by the mean run time for a run count (the places run at once), by
    the clock for hours (on each place)."""
    if runs_wanted:
        if not tally.runs:
            return None
        return max(0, runs_wanted - tally.runs) * tally.seconds / tally.runs / places
    if hours_wanted:
        return max(0.0, hours_wanted * 3600 - tally.seconds / places)
    return None


class Progress:
    """A progress bar (tqdm, on stderr) while a campaign runs: runs done of runs wanted,
    or run time of the hours asked, with the pass rate so far and tqdm's ETA.  Off when
    stderr is no terminal; the per-run lines say it all there."""

    def __init__(self, config, places: int):
        self.config, self.places, self.bar = config, places, None

    def __enter__(self) -> Progress:
        from tqdm import tqdm
        if self.config.runs_wanted:
            self.bar = tqdm(total=self.config.runs_wanted, unit="run", disable=None,
                            desc=f"{self.config.suite} x{self.places}")
        else:
            self.bar = tqdm(total=round(self.config.hours_wanted * 3600 * self.places),
                            unit="s", disable=None, desc=f"{self.config.suite} x{self.places}")
        return self

    def __exit__(self, *exc) -> None:
        self.bar.close()

    def _step(self, record_seconds: float) -> float:
        return 1 if self.config.runs_wanted else round(record_seconds)

    def start(self, tally: Tally) -> None:
        self.bar.update(tally.runs if self.config.runs_wanted else round(tally.seconds))
        self._postfix(tally)

    def advance(self, record: RunRecord, tally: Tally) -> None:
        self.bar.update(self._step(record.duration))
        self._postfix(tally)

    def _postfix(self, tally: Tally) -> None:
        self.bar.set_postfix_str(f"passed {tally.runs_passed}/{tally.runs} "
                                 f"({Tally.rate(tally.runs_passed, tally.runs)})")

    def write_or(self, say: Callable[[str], None]) -> Callable[[str], None]:
        """`say`, or writing above the bar while it shows."""
        if self.bar.disable:
            return say
        from tqdm import tqdm
        return lambda text: tqdm.write(text)


def progress_line(record: RunRecord, tally: Tally, runs_wanted: int | None,
                  hours_wanted: float | None, place: str | None = None,
                  places: int = 1) -> str:
    counts = record.counts()
    of = f"/{runs_wanted}" if runs_wanted else ""
    on = f" on {place}" if place else ""
    left = eta(tally, runs_wanted, hours_wanted, places)
    line = (f"run {record.seq}{of}{on}: {record.verdict} ({counts['passed']}/"
            f"{counts['tests'] - counts['skipped']} tests, {record.duration:.1f} s) | runs "
            f"passed {tally.runs_passed}/{tally.runs} ({Tally.rate(tally.runs_passed, tally.runs)})"
            f" | tests passed {Tally.rate(tally.tests_passed, tally.tests)}")
    if left is not None:
        line += f" | ETA {format_duration(left)}"
    if record.note:
        line += f"\n    {record.note}"
    for result in record.results:
        if result.verdict in ("failed", "error"):
            line += f"\n    {result.verdict}: {result.test}: {result.signature or result.message}"
    return line


# -- the campaign ----------------------------------------------------------------------

@dataclass
class CampaignConfig:
    suite: str
    specs: list[PlaceSpec]  # the places the runs spread over
    runs_wanted: int | None = None
    hours_wanted: float | None = None  # on each place
    tests: str = "tests"
    pytest_args: list[str] = field(default_factory=list)
    out_dir: Path = Path("build/campaigns")
    run_timeout: float = DEFAULT_RUN_TIMEOUT
    commit: str | None = None  # None: ask git
    commit_time: dt.datetime | None = None  # of `commit`
    repo: Path = Path(".")
    places: str | None = None  # what to store as the campaign's place (default: the names)
    broken_limit: int = 2  # broken runs in a row that take a place out of the campaign
    per_place: int | None = None  # runs each place does at most (CI: one)
    cwd: Path | None = None  # where pytest runs (CI: the commit's worktree)
    keep_empty: bool = True  # store a run that selected no test (pytest status 5)


def start(db: ResultsDB, config: CampaignConfig) -> int:
    """Create a campaign row; returns its id."""
    if not config.runs_wanted and not config.hours_wanted:
        raise FarmError("a campaign needs --runs N or --hours H")
    return db.create_campaign(
        suite=config.suite, place=config.places or ",".join(s.place for s in config.specs),
        target=",".join(sorted({s.target for s in config.specs})),
        env=",".join(s.env for s in config.specs), tests_path=config.tests,
        runs_wanted=config.runs_wanted, hours_wanted=config.hours_wanted,
        pytest_args=shlex.join(config.pytest_args) or None)


def config_from_row(row: dict, specs: list[PlaceSpec], **overrides) -> CampaignConfig:
    """The configuration of a stored campaign (for --resume)."""
    return CampaignConfig(suite=row["suite"], specs=specs, runs_wanted=row["runs_wanted"],
                          hours_wanted=row["hours_wanted"], tests=row["tests_path"] or "tests",
                          pytest_args=shlex.split(row["pytest_args"] or ""),
                          places=row["place"], **overrides)


def stored_tally(db: ResultsDB, campaign_id: int) -> Tally:
    tally = Tally()
    for run in db.runs(campaign_id):
        tally.runs += 1
        tally.runs_passed += run["verdict"] == RUN_PASS
        tally.tests += run["tests"] - run["skipped"]
        tally.tests_passed += run["passed"]
        tally.seconds += run["duration"]
    tally.counted = db.campaign_counts(campaign_id)
    return tally


def campaign_dir_name(row: dict) -> str:
    """`<created>-<id>`: ids are per database, so two databases' campaign 1 must not
    share (and overwrite) one directory of logs."""
    return f"{row['created']:%Y%m%d-%H%M%S}-{row['id']}"


def campaign_build(config: CampaignConfig, spec: PlaceSpec, dest: Path) -> Build:
    """The build the runs on `spec` use: a local environment's frozen in `dest` (made
    once, reused on resume), a farm place's as it is (snapshot.py says why)."""
    commit = (config.commit, None) if config.commit else git_commit(config.repo)
    if spec.env_vars:
        return Build(env=spec.env, commit=commit[0], commit_time=commit[1])
    return freeze(spec.env, dest, commit=commit, root=config.repo)


@dataclass
class Slot:
    """One place of a running campaign."""

    spec: PlaceSpec
    build: Build
    broken_in_a_row: int = 0
    claimed: int = 0
    retired: str | None = None  # why the campaign goes on without this place


class Runner:
    """The runs of one campaign spread over its places: a thread per place claims the
    next run number while the campaign wants more, runs it (a process, see run_suite)
    and stores it.  The claim, the tally and the output share one lock."""

    def __init__(self, db: ResultsDB, campaign_id: int, config: CampaignConfig,
                 slots: list[Slot], base: Path, stopper: Stopper, lock: CampaignLock,
                 say: Callable[[str], None], progress):
        self.db, self.campaign_id, self.config = db, campaign_id, config
        self.slots, self.base, self.stopper, self.lock = slots, base, stopper, lock
        self.say, self.progress = say, progress
        self.tally = stored_tally(db, campaign_id)
        self.seq = db.last_seq(campaign_id)
        self.in_flight = 0
        self.aborted = False
        self.mutex = threading.Lock()
        self.budget = (config.hours_wanted or 0) * 3600 * len(slots)

    def wants_more(self) -> bool:
        if self.config.runs_wanted:
            return self.tally.runs + self.in_flight < self.config.runs_wanted
        return self.tally.seconds < self.budget

    def finished(self) -> bool:
        if self.config.per_place is not None:
            return all(s.claimed >= self.config.per_place for s in self.slots)
        if self.config.runs_wanted:
            return self.tally.runs >= self.config.runs_wanted
        return self.tally.seconds >= self.budget

    def claim(self, slot: Slot) -> int | None:
        with self.mutex:
            if slot.retired or self.stopper.stop or not self.wants_more():
                return None
            if self.config.per_place is not None and slot.claimed >= self.config.per_place:
                return None
            slot.claimed += 1
            self.seq += 1
            self.in_flight += 1
            return self.seq

    def work(self, slot: Slot) -> None:
        while (seq := self.claim(slot)) is not None:
            try:
                self.one_run(slot, seq)
            finally:
                with self.mutex:
                    self.in_flight -= 1

    def one_run(self, slot: Slot, seq: int) -> None:
        config, build = self.config, slot.build
        if config.commit:
            commit, commit_time = config.commit, config.commit_time
        elif build.frozen:
            commit, commit_time = build.commit, build.commit_time
        else:  # a farm place boots what the tree holds now
            commit, commit_time = git_commit(config.repo)
        run_dir = self.base / f"run-{seq}"
        command = pytest_command(build.env, config.suite, config.tests, run_dir,
                                 build.pytest_args() + config.pytest_args)
        # The run's number reaches the tests (KEEL_CAMPAIGN_RUN): a suite that draws
        # random inputs takes a new seed per run from it.
        outcome = run_suite(command, run_dir,
                            {**slot.spec.env_vars, "KEEL_CAMPAIGN_RUN": str(seq)}, self.stopper,
                            config.run_timeout, cwd=config.cwd, keep_fds=(self.lock.fd,))
        if outcome.aborted:
            with self.mutex:
                self.aborted = True
                on = f" on {slot.spec.place}" if len(self.slots) > 1 else ""
                self.say(f"run {seq}{on}: aborted, not stored")
            return
        if outcome.exit_code == NO_TESTS and not config.keep_empty:
            with self.mutex:
                self.say(f"{slot.spec.place}: suite '{config.suite}' has no tests here")
            return
        record = run_record(outcome, slot.spec, commit, commit_time)
        if not config.commit:
            record.commit, record.commit_time = booted_build(record, config.repo)
        record.campaign_id, record.seq = self.campaign_id, seq
        self.db.add_run(record)
        with self.mutex:
            self.tally.add(record)
            slot.broken_in_a_row = slot.broken_in_a_row + 1 if record.verdict == RUN_BROKEN \
                else 0
            line = progress_line(record, self.tally, config.runs_wanted, config.hours_wanted,
                                 place=slot.spec.place if len(self.slots) > 1 else None,
                                 places=len(self.slots))
            self.progress.advance(record, self.tally)
            self.say(line)
            if slot.broken_in_a_row >= config.broken_limit:
                slot.retired = f"{slot.broken_in_a_row} broken runs in a row"
                others = [s.spec.place for s in self.slots if not s.retired]
                self.say(f"{slot.spec.place}: {slot.retired}; "
                         + (f"going on with {', '.join(others)}" if others
                            else "no place left"))

    def run(self, keepalive: Callable[[], None], keepalive_every: float) -> None:
        threads = [threading.Thread(target=self.work, args=(slot,), daemon=True,
                                    name=f"campaign-{slot.spec.place}") for slot in self.slots]
        for thread in threads:
            thread.start()
        last = time.monotonic()
        while any(t.is_alive() for t in threads):
            for thread in threads:
                thread.join(timeout=0.5)
            if time.monotonic() - last >= keepalive_every:
                keepalive()
                last = time.monotonic()


def run_campaign(db: ResultsDB, campaign_id: int, config: CampaignConfig,
                 say: Callable[[str], None] = print, *,
                 keepalive: Callable[[], None] = lambda: None,
                 keepalive_every: float = 300.0) -> str:
    """Run until the campaign has its runs or hours, is stopped, or has no place left;
    returns the status it ends in (DONE or INTERRUPTED).  `keepalive` is called every
    `keepalive_every` seconds while runs go on (the CLI renews the places' leases)."""
    row = db.campaign(campaign_id)
    base = config.out_dir / campaign_dir_name(row)
    with CampaignLock(base, campaign_id) as lock:
        db.set_campaign_status(campaign_id, RUNNING)
        slots, frozen = [], []
        for i, spec in enumerate(config.specs):
            dest = base / ("build" if i == 0 else f"build-{spec.place}")
            slots.append(Slot(spec, campaign_build(config, spec, dest)))
            if slots[-1].build.frozen:
                frozen.append(f"frozen in {dest}")
        seq = db.last_seq(campaign_id)
        where = ", ".join(f"{s.spec.place} ({s.spec.env})" for s in slots)
        frozen = "; ".join(frozen)
        say(f"campaign {campaign_id}: suite '{config.suite}' on {where}, build "
            f"{slots[0].build.commit}" + (f" {frozen}" if frozen else "") + ", "
            + (f"{config.runs_wanted} runs" if config.runs_wanted
               else f"{config.hours_wanted:g} h" + (" on each place" if len(slots) > 1
                                                      else ""))
            + (f", resuming after run {seq}" if seq else ""))
        with Stopper(say) as stopper, Progress(config, len(slots)) as progress:
            runner = Runner(db, campaign_id, config, slots, base, stopper, lock,
                            progress.write_or(say), progress)
            progress.start(runner.tally)
            runner.run(keepalive, keepalive_every)
        status = DONE if runner.finished() else INTERRUPTED
        db.set_campaign_status(campaign_id, status)
    tally = runner.tally
    say(f"campaign {campaign_id} {status}: {tally.runs} runs, {tally.runs_passed} passed "
        f"({Tally.rate(tally.runs_passed, tally.runs)}); test results "
        f"{tally.tests_passed}/{tally.tests} passed{tally.counted_text()}; "
        f"{format_duration(tally.seconds)} of runs; results in {db.safe_url}")
    if len(slots) > 1:
        say(per_place_summary(db.runs(campaign_id), slots))
    return status


def per_place_summary(runs: list[dict], slots: list[Slot]) -> str:
    """One line per place: its runs, passes, broken runs, and whether it dropped out."""
    lines = ["per place:"]
    for slot in slots:
        mine = [r for r in runs if r["place"] == slot.spec.place]
        passed = sum(r["verdict"] == RUN_PASS for r in mine)
        broken = sum(r["verdict"] == RUN_BROKEN for r in mine)
        lines.append(f"  {slot.spec.place:<16} {len(mine):>4} runs  {passed:>4} passed  "
                     f"{broken:>3} broken" + (f"  (left: {slot.retired})" if slot.retired
                                               else ""))
    return "\n".join(lines)
