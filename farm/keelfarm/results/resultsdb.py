"""The results database: every campaign, every run of a suite, every test result.

SQLAlchemy Core over any database it speaks; a SQLite file by default
(`build/results.db`), a PostgreSQL URL for a shared farm — the same tables and queries.
The schema is migrated with Alembic (keelfarm/results/migrations/): a table or column added here
comes with a migration, so a database made by an earlier farm upgrades in place.

Tables:
- `campaigns`: a suite repeated on one place (what was asked, when, how it ended);
- `runs`: one pytest run of the suite — commit, target, place, environment, start,
  duration, verdict, counts, where its logs are;
- `results`: one test of a run — test id, verdict, duration, failure message, crash
  signature (one line), signature group, crash kind and frames, console log path;
- `metrics`: numbers a result reported — boot-stage times (`stage`) and benchmark
  figures (`bench`), one row each, so a report can plot any of them over commits;
- `bisections`: a hunt for the first bad commit (endpoints, rule, answer, confidence),
  its runs stored under a campaign of their own; `bisect_steps`: what it found out
  about each commit it tried;
- `triages`: a board's failed run rerun on the same board, QEMU and a sibling board,
  and the verdict (OS regression, board fault, flaky, unknown).

A run and all its results are written in one transaction (`add_run`): an interrupted
campaign never leaves half a run behind.  Times are naive UTC datetimes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    case,
    create_engine,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine

from ..errors import FarmError

DEFAULT_DB = Path("build/results.db")

# Test verdicts, as pytest names them; a run's verdict is one of RUN_VERDICTS.
PASSED, FAILED, ERROR, SKIPPED, XFAILED = "passed", "failed", "error", "skipped", "xfailed"
RUN_PASS, RUN_FAIL, RUN_BROKEN = "pass", "fail", "broken"

metadata = MetaData()

campaigns = Table(
    "campaigns", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("suite", String(200), nullable=False),  # pytest -m expression
    Column("place", String(200), nullable=False),  # environment name or farm place
    Column("target", String(200), nullable=False),  # the kind of board
    Column("env", Text),  # labgrid environment file
    Column("tests_path", Text),  # what pytest collects (default tests/)
    Column("runs_wanted", Integer),
    Column("hours_wanted", Float),
    Column("pytest_args", Text),  # extra pytest arguments, space-separated
    Column("created", DateTime, nullable=False),
    Column("finished", DateTime),
    Column("status", String(20), nullable=False),  # running, interrupted, done
)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), index=True),
    Column("seq", Integer),  # 1, 2, ... within its campaign
    Column("commit", String(100), nullable=False),  # git describe --always --dirty
    Column("commit_time", DateTime),  # committer time of the commit, orders commits
    Column("target", String(200), nullable=False),
    Column("place", String(200), nullable=False),
    Column("env", Text),
    Column("started", DateTime, nullable=False),
    Column("duration", Float, nullable=False),
    Column("verdict", String(10), nullable=False),  # RUN_PASS, RUN_FAIL, RUN_BROKEN
    Column("exit_code", Integer),
    Column("tests", Integer, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("failed", Integer, nullable=False),  # failures and errors
    Column("skipped", Integer, nullable=False),
    Column("log_dir", Text),
    Column("note", Text),  # why a run is broken
    UniqueConstraint("campaign_id", "seq"),
)

results = Table(
    "results", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("test", String(500), nullable=False),
    Column("verdict", String(10), nullable=False),
    Column("duration", Float),
    Column("message", Text),  # first line of the failure
    Column("signature", Text),  # the crash's one-line signature
    Column("signature_group", Text, index=True),
    Column("crash_kind", String(20)),
    Column("frames", Text),
    Column("log_path", Text),
)

metrics = Table(
    "metrics", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("result_id", Integer, ForeignKey("results.id"), nullable=False, index=True),
    Column("kind", String(10), nullable=False),  # stage or bench
    Column("name", String(200), nullable=False),
    Column("value", Float, nullable=False),
)


bisections = Table(
    "bisections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id")),  # holds its runs
    Column("suite", String(200), nullable=False),
    Column("test", String(500)),  # pytest -k expression, None: the whole suite
    Column("place", String(200), nullable=False),
    Column("good", String(100), nullable=False),
    Column("bad", String(100), nullable=False),
    Column("rule", Text),
    Column("first_bad", String(100)),
    Column("candidates", Text),  # space-separated, when skipped commits hide the boundary
    Column("confidence", Float),
    Column("created", DateTime, nullable=False),
    Column("finished", DateTime),
    Column("status", String(20), nullable=False),  # running, done, failed, interrupted
    Column("note", Text),  # why it failed
)

bisect_steps = Table(
    "bisect_steps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bisection_id", Integer, ForeignKey("bisections.id"), nullable=False, index=True),
    Column("commit", String(100), nullable=False),
    Column("role", String(20), nullable=False),  # good, bad, candidate
    Column("verdict", String(10)),  # good, bad, skip
    Column("passed", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("broken", Integer, nullable=False),
    Column("confidence", Float),
    Column("note", Text),
)


triages = Table(
    "triages", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("place", String(200), nullable=False),
    Column("target", String(200), nullable=False),
    Column("commit", String(100), nullable=False),
    Column("verdict", String(20), nullable=False),  # triage.OS_REGRESSION, ...
    Column("why", Text),
    Column("board_rerun", String(10)),  # pass, fail, broken, or None: not run
    Column("qemu_rerun", String(10)),
    Column("sibling", String(200)),
    Column("sibling_rerun", String(10)),
    Column("campaign_id", Integer, ForeignKey("campaigns.id")),  # the reruns
    Column("created", DateTime, nullable=False),
)


# A retried latency case that needs more attempts than this is flaky.
FLAKY_ATTEMPTS = 2


@dataclass
class ResultRecord:
    test: str
    verdict: str
    duration: float | None = None
    message: str | None = None
    signature: str | None = None
    signature_group: str | None = None
    crash_kind: str | None = None
    frames: str | None = None
    log_path: str | None = None
    stages: dict[str, float] = field(default_factory=dict)
    bench: dict[str, float] = field(default_factory=dict)
    # what the test counted (`count:<name>`: processes made, ...), summed per campaign
    tallies: dict[str, float] = field(default_factory=dict)
    attempts: int | None = None  # a retried latency case: attempts it needed
    kernel_build: str | None = None  # the banner's git description (not stored)


@dataclass
class RunRecord:
    commit: str
    target: str
    place: str
    started: dt.datetime
    duration: float
    verdict: str
    results: list[ResultRecord] = field(default_factory=list)
    commit_time: dt.datetime | None = None
    env: str | None = None
    exit_code: int | None = None
    log_dir: str | None = None
    note: str | None = None
    campaign_id: int | None = None
    seq: int | None = None

    def counts(self) -> dict[str, int]:
        bad = sum(r.verdict in (FAILED, ERROR) for r in self.results)
        skipped = sum(r.verdict in (SKIPPED, XFAILED) for r in self.results)
        return {"tests": len(self.results), "failed": bad, "skipped": skipped,
                "passed": len(self.results) - bad - skipped}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def database_url(spec: str | Path | None) -> str:
    """A SQLAlchemy URL from `--db`: a URL as is, anything else a SQLite file path
    (default build/results.db)."""
    text = str(spec) if spec else str(DEFAULT_DB)
    if "://" in text:
        return text
    path = Path(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PRE_MIGRATION = "0001"  # the schema `create_all` made before there were migrations


@contextlib.contextmanager
def _migration_lock(engine: Engine):
    """One migration at a time per database file.  Two processes opening a new SQLite
    database at once (a campaign and `farm campaign show`) would both create its tables;
    SQLite's DDL commits statement by statement, so the second sees half a schema.  A
    lock file beside the database serializes them (PostgreSQL: an advisory lock, taken
    in `migrate`)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic, keelfarm/results/migrations/): a
    new one from nothing, an old one in place.  A database made before migrations
    (tables, no alembic_version) is first stamped with the revision it matches."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect, text

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migration_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(72010516)"))
        config.attributes["connection"] = conn
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables and "runs" in tables:
            command.stamp(config, "0002" if "bisections" in tables else PRE_MIGRATION)
        command.upgrade(config, "head")


def drop_all(engine: Engine) -> None:
    """Drop every table, the migration record too: the next open starts from nothing."""
    from sqlalchemy import text
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


class ResultsDB:
    """The database behind one URL; tables are created on first use."""

    def __init__(self, url: str | Path | None = None, *, engine: Engine | None = None):
        self.url = database_url(url)
        try:
            self.engine = engine or create_engine(self.url)
            migrate(self.engine)
        except Exception as exc:  # a bad URL, an unreachable server, a corrupt file
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise FarmError(f"results database {self.safe_url}: {first}") from exc

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages."""
        from sqlalchemy.engine import make_url
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:
            return "<unparsable URL>"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ResultsDB:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- campaigns ---------------------------------------------------------------------

    def create_campaign(self, *, suite: str, place: str, target: str, env: str | None,
                        tests_path: str | None = None, runs_wanted: int | None = None,
                        hours_wanted: float | None = None,
                        pytest_args: str | None = None) -> int:
        with self.engine.begin() as conn:
            row = conn.execute(insert(campaigns).values(
                suite=suite, place=place, target=target, env=env, tests_path=tests_path,
                runs_wanted=runs_wanted, hours_wanted=hours_wanted, pytest_args=pytest_args,
                created=utcnow(), status="running"))
            return row.inserted_primary_key[0]

    def set_campaign_status(self, campaign_id: int, status: str) -> None:
        finished = None if status == "running" else utcnow()
        with self.engine.begin() as conn:
            conn.execute(update(campaigns).where(campaigns.c.id == campaign_id)
                         .values(status=status, finished=finished))

    def campaign(self, campaign_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(campaigns).where(campaigns.c.id == campaign_id)).first()
        return dict(row._mapping) if row else None

    def campaigns(self) -> list[dict]:
        """Every campaign with its run counts (`runs_done`, `runs_passed`), oldest first."""
        done = func.count(runs.c.id)
        passed = func.coalesce(func.sum(case((runs.c.verdict == RUN_PASS, 1), else_=0)), 0)
        query = (select(campaigns, done.label("runs_done"), passed.label("runs_passed"),
                        func.coalesce(func.sum(runs.c.duration), 0.0).label("seconds"))
                 .select_from(campaigns.outerjoin(runs, runs.c.campaign_id == campaigns.c.id))
                 .group_by(*campaigns.c).order_by(campaigns.c.id))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # -- runs --------------------------------------------------------------------------

    def add_run(self, record: RunRecord) -> int:
        """Store a run with all its results and metrics in one transaction."""
        counts = record.counts()
        with self.engine.begin() as conn:
            run_id = conn.execute(insert(runs).values(
                campaign_id=record.campaign_id, seq=record.seq, commit=record.commit,
                commit_time=record.commit_time, target=record.target, place=record.place,
                env=record.env, started=record.started, duration=record.duration,
                verdict=record.verdict, exit_code=record.exit_code, log_dir=record.log_dir,
                note=record.note, **counts)).inserted_primary_key[0]
            for result in record.results:
                result_id = conn.execute(insert(results).values(
                    run_id=run_id, test=result.test, verdict=result.verdict,
                    duration=result.duration, message=result.message,
                    signature=result.signature, signature_group=result.signature_group,
                    crash_kind=result.crash_kind, frames=result.frames,
                    log_path=result.log_path)).inserted_primary_key[0]
                rows = [{"result_id": result_id, "kind": "stage", "name": k, "value": v}
                        for k, v in result.stages.items()]
                rows += [{"result_id": result_id, "kind": "bench", "name": k, "value": v}
                         for k, v in result.bench.items()]
                rows += [{"result_id": result_id, "kind": "count", "name": k, "value": v}
                         for k, v in result.tallies.items()]
                if result.attempts is not None:
                    rows.append({"result_id": result_id, "kind": "attempts",
                                 "name": "attempts", "value": float(result.attempts)})
                if rows:
                    conn.execute(insert(metrics), rows)
        return run_id

    def runs(self, campaign_id: int | None = None,
             since: dt.datetime | None = None) -> list[dict]:
        query = select(runs).order_by(runs.c.id)
        if campaign_id is not None:
            query = query.where(runs.c.campaign_id == campaign_id)
        if since is not None:
            query = query.where(runs.c.commit_time >= since)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def runs_with_suite(self) -> list[dict]:
        """Every run of a campaign with the campaign's suite, oldest first."""
        query = (select(runs, campaigns.c.suite)
                 .join(campaigns, runs.c.campaign_id == campaigns.c.id).order_by(runs.c.id))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def last_seq(self, campaign_id: int) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(runs.c.seq))
                                 .where(runs.c.campaign_id == campaign_id)).scalar()
        return value or 0

    # -- results -----------------------------------------------------------------------

    def results(self, *, campaign_id: int | None = None, run_ids: Iterable[int] | None = None,
                since: dt.datetime | None = None) -> list[dict]:
        """Test results joined with their run's commit, commit time, target and place."""
        query = (select(results, runs.c.commit, runs.c.commit_time, runs.c.target,
                        runs.c.place, runs.c.campaign_id, runs.c.started)
                 .join(runs, results.c.run_id == runs.c.id)
                 .order_by(runs.c.id, results.c.id))
        if campaign_id is not None:
            query = query.where(runs.c.campaign_id == campaign_id)
        if run_ids is not None:
            query = query.where(runs.c.id.in_(list(run_ids)))
        if since is not None:
            query = query.where(runs.c.commit_time >= since)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def suite_results(self, suite: str, target: str) -> list[dict]:
        """Every result of campaigns that ran `suite`, on `target`, as `results()`
        gives them."""
        query = (select(results, runs.c.commit, runs.c.commit_time, runs.c.target,
                        runs.c.place, runs.c.campaign_id, runs.c.started)
                 .join(runs, results.c.run_id == runs.c.id)
                 .join(campaigns, runs.c.campaign_id == campaigns.c.id)
                 .where(campaigns.c.suite == suite, runs.c.target == target)
                 .order_by(runs.c.id, results.c.id))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def verdict_counts(self, campaign_id: int) -> dict[str, dict[str, int]]:
        """test -> verdict -> count over a campaign's runs (for summaries and for
        comparing two databases)."""
        query = (select(results.c.test, results.c.verdict, func.count().label("n"))
                 .join(runs, results.c.run_id == runs.c.id)
                 .where(runs.c.campaign_id == campaign_id)
                 .group_by(results.c.test, results.c.verdict))
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for test, verdict, n in conn.execute(query):
                out.setdefault(test, {})[verdict] = n
        return out

    def flaky(self, campaign_id: int, allowed: int = FLAKY_ATTEMPTS) -> dict[str, int]:
        """Retried latency cases that needed more than `allowed` attempts in some run of
        the campaign: test -> the most attempts it needed."""
        query = (select(results.c.test, func.max(metrics.c.value))
                 .join(results, metrics.c.result_id == results.c.id)
                 .join(runs, results.c.run_id == runs.c.id)
                 .where(runs.c.campaign_id == campaign_id, metrics.c.kind == "attempts")
                 .group_by(results.c.test))
        with self.engine.connect() as conn:
            return {test: int(worst) for test, worst in conn.execute(query) if worst > allowed}

    def metric_rows(self, kind: str, since: dt.datetime | None = None) -> list[dict]:
        """Every metric of `kind` with its test, commit, commit time and target."""
        query = (select(metrics.c.name, metrics.c.value, results.c.test, runs.c.commit,
                        runs.c.commit_time, runs.c.target, runs.c.id.label("run_id"))
                 .join(results, metrics.c.result_id == results.c.id)
                 .join(runs, results.c.run_id == runs.c.id)
                 .where(metrics.c.kind == kind).order_by(runs.c.id, metrics.c.id))
        if since is not None:
            query = query.where(runs.c.commit_time >= since)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def campaign_counts(self, campaign_id: int) -> dict[str, float]:
        """What the campaign's tests counted (metrics of kind count), summed by name."""
        query = (select(metrics.c.name, func.sum(metrics.c.value))
                 .join(results, metrics.c.result_id == results.c.id)
                 .join(runs, results.c.run_id == runs.c.id)
                 .where(metrics.c.kind == "count", runs.c.campaign_id == campaign_id)
                 .group_by(metrics.c.name).order_by(metrics.c.name))
        with self.engine.connect() as conn:
            return {name: float(total) for name, total in conn.execute(query)}

    def commit_time(self, commit_prefix: str) -> dt.datetime | None:
        """The commit time recorded for a commit (a prefix of its description)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.min(runs.c.commit_time))
                                .where(runs.c.commit.startswith(commit_prefix))).scalar()

    # -- bisections --------------------------------------------------------------------

    def create_bisection(self, *, suite: str, test: str | None, place: str, good: str,
                         bad: str, campaign_id: int | None) -> int:
        with self.engine.begin() as conn:
            return conn.execute(insert(bisections).values(
                suite=suite, test=test, place=place, good=good, bad=bad,
                campaign_id=campaign_id, created=utcnow(),
                status="running")).inserted_primary_key[0]

    def add_bisect_step(self, bisection_id: int, *, commit: str, role: str, verdict: str | None,
                        passed: int, failed: int, broken: int, confidence: float | None,
                        note: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(bisect_steps).values(
                bisection_id=bisection_id, commit=commit, role=role, verdict=verdict,
                passed=passed, failed=failed, broken=broken, confidence=confidence,
                note=note or None))

    def finish_bisection(self, bisection_id: int, *, status: str, rule: str | None = None,
                         first_bad: str | None = None, candidates: list[str] | None = None,
                         confidence: float | None = None, note: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(bisections).where(bisections.c.id == bisection_id).values(
                status=status, rule=rule, first_bad=first_bad,
                candidates=" ".join(candidates) if candidates else None,
                confidence=confidence, note=note, finished=utcnow()))

    def bisections(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in
                    conn.execute(select(bisections).order_by(bisections.c.id))]

    def bisect_steps(self, bisection_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(bisect_steps).where(bisect_steps.c.bisection_id == bisection_id)
                .order_by(bisect_steps.c.id))]

    # -- triage ------------------------------------------------------------------------

    def run(self, run_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
        return dict(row._mapping) if row else None

    def add_triage(self, **values) -> int:
        with self.engine.begin() as conn:
            return conn.execute(insert(triages).values(created=utcnow(), **values)) \
                .inserted_primary_key[0]

    def triages(self, place: str | None = None,
                run_ids: Iterable[int] | None = None) -> list[dict]:
        """Triage verdicts, oldest first: of one board, or of the failed runs given."""
        query = select(triages).order_by(triages.c.id)
        if place is not None:
            query = query.where(triages.c.place == place)
        if run_ids is not None:
            query = query.where(triages.c.run_id.in_(list(run_ids)))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def triages_by_campaign(self) -> dict[int, list[dict]]:
        """campaign id -> the triages of its failed runs, oldest first."""
        query = (select(triages, runs.c.campaign_id.label("run_campaign"), runs.c.seq)
                 .join(runs, triages.c.run_id == runs.c.id).order_by(triages.c.id))
        found: dict[int, list[dict]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                found.setdefault(row.run_campaign, []).append(dict(row._mapping))
        return found
