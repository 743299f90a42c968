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
import os
import shlex
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FarmError
from .junit import JunitError, read_junit
from .lease import format_duration
from .resultsdb import RUN_BROKEN, RUN_FAIL, RUN_PASS, ResultsDB, RunRecord, utcnow
from .snapshot import Build, freeze

ENVS = Path(__file__).resolve().parent.parent / "envs"
DEFAULT_RUN_TIMEOUT = 1800.0
RUNNING, INTERRUPTED, DONE = "running", "interrupted", "done"


@dataclass(frozen=True)
class PlaceSpec:
    """Where a campaign runs: the labgrid environment and what to call it."""

    place: str  # environment name (local) or farm place
    target: str  # the kind of board: env name (local) or the place's board tag
    env: str  # environment file
    env_vars: dict[str, str] = field(default_factory=dict)  # LG_PLACE etc. for a place


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
    from .lease import require_holder
    from .target import env_file_for
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


class Stopper:
    """Ctrl-C handling for a campaign: the first request stops after the current run,
    the second aborts it (SIGTERM counts as the second)."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self.requests = 0
        self.child: subprocess.Popen | None = None
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
            self.kill_child(signal.SIGINT)

    def kill_child(self, signum) -> None:
        child = self.child
        if child is not None and child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signum)


def run_suite(command: list[str], run_dir: Path, env_vars: dict[str, str],
              stopper: Stopper, timeout: float, cwd: Path | None = None) -> RunOutcome:
    """Run one pytest process (in its own session, in `cwd`) with its output in
    pytest.out."""
    run_dir.mkdir(parents=True, exist_ok=True)
    started, t0 = utcnow(), time.monotonic()
    outcome = RunOutcome(started, 0.0, None, run_dir)
    with open(outcome.output, "w") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True,
                                 env={**os.environ, **env_vars}, cwd=cwd)
        stopper.child = child
        try:
            while True:
                try:
                    outcome.exit_code = child.wait(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() - t0 > timeout and not outcome.timed_out:
                        outcome.timed_out = True
                        stopper.kill_child(signal.SIGINT)
                    elif outcome.timed_out and time.monotonic() - t0 > timeout + 60:
                        stopper.kill_child(signal.SIGKILL)
        finally:
            stopper.child = None
    outcome.duration = time.monotonic() - t0
    outcome.aborted = stopper.abort
    return outcome


def run_record(outcome: RunOutcome, spec: PlaceSpec, commit: str,
               commit_time: dt.datetime | None) -> RunRecord:
    """The stored form of a finished run.  `broken` when pytest did not produce
    results (no JUnit file, no tests, a usage or internal error, a timeout)."""
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
    else:
        record.verdict = RUN_FAIL if counts["failed"] else RUN_PASS
    return record


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

    def add(self, record: RunRecord) -> None:
        counts = record.counts()
        self.runs += 1
        self.runs_passed += record.verdict == RUN_PASS
        self.tests += counts["tests"] - counts["skipped"]
        self.tests_passed += counts["passed"]
        self.seconds += record.duration

    @staticmethod
    def rate(good: int, total: int) -> str:
        return f"{100.0 * good / total:.1f}%" if total else "-"


def eta(tally: Tally, runs_wanted: int | None, hours_wanted: float | None) -> float | None:
    """Seconds left: by the mean run time for a run count, by the clock for hours."""
    if runs_wanted:
        if not tally.runs:
            return None
        return max(0, runs_wanted - tally.runs) * tally.seconds / tally.runs
    if hours_wanted:
        return max(0.0, hours_wanted * 3600 - tally.seconds)
    return None


def progress_line(record: RunRecord, tally: Tally, runs_wanted: int | None,
                  hours_wanted: float | None) -> str:
    counts = record.counts()
    of = f"/{runs_wanted}" if runs_wanted else ""
    left = eta(tally, runs_wanted, hours_wanted)
    line = (f"run {record.seq}{of}: {record.verdict} ({counts['passed']}/"
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
    spec: PlaceSpec
    runs_wanted: int | None = None
    hours_wanted: float | None = None
    tests: str = "tests"
    pytest_args: list[str] = field(default_factory=list)
    out_dir: Path = Path("build/campaigns")
    run_timeout: float = DEFAULT_RUN_TIMEOUT
    commit: str | None = None  # None: ask git
    repo: Path = Path(".")


def start(db: ResultsDB, config: CampaignConfig) -> int:
    """Create a campaign row; returns its id."""
    if not config.runs_wanted and not config.hours_wanted:
        raise FarmError("a campaign needs --runs N or --hours H")
    return db.create_campaign(suite=config.suite, place=config.spec.place,
                              target=config.spec.target, env=config.spec.env,
                              tests_path=config.tests, runs_wanted=config.runs_wanted,
                              hours_wanted=config.hours_wanted,
                              pytest_args=shlex.join(config.pytest_args) or None)


def config_from_row(row: dict, spec: PlaceSpec, **overrides) -> CampaignConfig:
    """The configuration of a stored campaign (for --resume)."""
    return CampaignConfig(suite=row["suite"], spec=spec, runs_wanted=row["runs_wanted"],
                          hours_wanted=row["hours_wanted"], tests=row["tests_path"] or "tests",
                          pytest_args=shlex.split(row["pytest_args"] or ""), **overrides)


def stored_tally(db: ResultsDB, campaign_id: int) -> Tally:
    tally = Tally()
    for run in db.runs(campaign_id):
        tally.runs += 1
        tally.runs_passed += run["verdict"] == RUN_PASS
        tally.tests += run["tests"] - run["skipped"]
        tally.tests_passed += run["passed"]
        tally.seconds += run["duration"]
    return tally


def finished(tally: Tally, config: CampaignConfig) -> bool:
    if config.runs_wanted:
        return tally.runs >= config.runs_wanted
    return tally.seconds >= (config.hours_wanted or 0) * 3600


def campaign_dir_name(row: dict) -> str:
    """`<created>-<id>`: ids are per database, so two databases' campaign 1 must not
    share (and overwrite) one directory of logs."""
    return f"{row['created']:%Y%m%d-%H%M%S}-{row['id']}"


def campaign_build(config: CampaignConfig, base: Path) -> Build:
    """The build the runs use: a local environment's frozen in `base`/build (made once,
    reused on resume), a farm place's as it is (snapshot.py says why)."""
    commit = (config.commit, None) if config.commit else git_commit(config.repo)
    if config.spec.env_vars:
        return Build(env=config.spec.env, commit=commit[0], commit_time=commit[1])
    return freeze(config.spec.env, base / "build", commit=commit, root=config.repo)


def run_campaign(db: ResultsDB, campaign_id: int, config: CampaignConfig,
                 say: Callable[[str], None] = print) -> str:
    """Run until the campaign has its runs or hours, or is stopped; returns the status
    it ends in (DONE or INTERRUPTED)."""
    db.set_campaign_status(campaign_id, RUNNING)
    tally = stored_tally(db, campaign_id)
    seq = db.last_seq(campaign_id)
    base = config.out_dir / campaign_dir_name(db.campaign(campaign_id))
    build = campaign_build(config, base)
    frozen = f" frozen in {base / 'build'}" if build.frozen else ""
    say(f"campaign {campaign_id}: suite '{config.suite}' on {config.spec.place} "
        f"({config.spec.env}), build {build.commit}{frozen}, "
        + (f"{config.runs_wanted} runs" if config.runs_wanted
           else f"{config.hours_wanted:g} h") + (f", resuming after run {seq}" if seq else ""))
    status = DONE
    with Stopper(say) as stopper:
        while not finished(tally, config):
            if stopper.stop:
                status = INTERRUPTED
                break
            seq += 1
            if config.commit:
                commit, commit_time = config.commit, None
            elif build.frozen:
                commit, commit_time = build.commit, build.commit_time
            else:  # a farm place boots what the tree holds now
                commit, commit_time = git_commit(config.repo)
            run_dir = base / f"run-{seq}"
            command = pytest_command(build.env, config.suite, config.tests, run_dir,
                                     build.pytest_args() + config.pytest_args)
            outcome = run_suite(command, run_dir, config.spec.env_vars, stopper,
                                config.run_timeout)
            if outcome.aborted:
                say(f"run {seq}: aborted, not stored")
                status = INTERRUPTED
                break
            record = run_record(outcome, config.spec, commit, commit_time)
            if not config.commit:
                record.commit, record.commit_time = booted_build(record, config.repo)
            record.campaign_id, record.seq = campaign_id, seq
            db.add_run(record)
            tally.add(record)
            say(progress_line(record, tally, config.runs_wanted, config.hours_wanted))
    db.set_campaign_status(campaign_id, status)
    say(f"campaign {campaign_id} {status}: {tally.runs} runs, {tally.runs_passed} passed "
        f"({Tally.rate(tally.runs_passed, tally.runs)}); test results "
        f"{tally.tests_passed}/{tally.tests} passed; {format_duration(tally.seconds)} of runs;"
        f" results in {db.safe_url}")
    return status
