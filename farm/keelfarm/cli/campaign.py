"""`farm campaign run|list|show`: repeat a suite on a place and keep every run.

    farm campaign run --suite boot --place qemu-virt --runs 50
    farm campaign run --suite smp_stress --place vboard-1 --hours 8 --db postgresql://...
    farm campaign run --suite boot --board vboard --places 4 --place qemu-virt --runs 200
    farm campaign run --resume 3
    farm campaign list
    farm campaign show 3
    farm campaign export 3 --to farm/records/ktest-smp8.jsonl.gz
    farm campaign import farm/records/*.jsonl.gz
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
import time
from pathlib import Path

from ..errors import FarmError
from ..lease import format_duration
from ..results import campaign as camp
from ..results import triage as tri
from ..results.resultsdb import FLAKY_ATTEMPTS, ResultsDB
from ..results.stability import failure_groups, pass_rates
from .common import coordinator_factory

DB_ENV = "KEEL_RESULTS_DB"


def add_db_option(parser) -> None:
    parser.add_argument("--db", default=os.environ.get(DB_ENV),
                        help=f"results database: a SQLAlchemy URL or a SQLite file "
                             f"(default ${DB_ENV} or build/results.db)")


def register(sub) -> None:
    p = sub.add_parser("campaign", help="repeat a test suite on a place; list campaigns")
    csub = p.add_subparsers(dest="campaign_command", metavar="ACTION", required=True)

    r = csub.add_parser("run", help="run (or --resume) a campaign")
    r.add_argument("--suite", metavar="MARKER", help="pytest -m expression, e.g. boot")
    r.add_argument("--place", action="append",
                   help="environment name (farm/envs/NAME.yaml) or a farm place you hold; "
                        "again for more places")
    r.add_argument("--board", metavar="TAG", help="also reserve places of this kind")
    r.add_argument("--places", type=int, default=1, metavar="N",
                   help="how many --board places (default 1; fewer if not free)")
    r.add_argument("--env", help="labgrid environment file (default: by --place)")
    many = r.add_mutually_exclusive_group()
    many.add_argument("--runs", type=int, metavar="N", help="this many runs")
    many.add_argument("--hours", type=float, metavar="H", help="run for this many hours")
    r.add_argument("--resume", type=int, metavar="ID", help="carry on an interrupted campaign")
    r.add_argument("--tests", default="tests", help="what pytest collects (default tests)")
    r.add_argument("--pytest-args", default="", metavar="ARGS",
                   help="more pytest arguments, one string (e.g. '-k smp4')")
    r.add_argument("--run-timeout", type=float, default=camp.DEFAULT_RUN_TIMEOUT,
                   metavar="SECONDS", help="bound on one run (default %(default).0f)")
    r.add_argument("--out", default="build/campaigns",
                   help="run directories go to OUT/<created>-<id>/run-<n> "
                        "(default %(default)s)")
    r.add_argument("--commit", help="record this commit instead of git describe's")
    r.add_argument("--qemu", default="qemu-virt",
                   help="local environment for triage's QEMU rerun (default %(default)s)")
    r.add_argument("--no-triage", dest="triage", action="store_false",
                   help="do not rerun failures on farm boards to tell board faults apart")
    add_db_option(r)
    r.set_defaults(func=run)

    ls = csub.add_parser("list", help="every campaign with its run counts")
    add_db_option(ls)
    ls.set_defaults(func=list_campaigns)

    sched = csub.add_parser("schedule", help="start campaigns when a config file says "
                                             "(nightly); see keelfarm/schedule.py")
    sched.add_argument("--config", required=True, help="the schedule (YAML)")
    sched.add_argument("--once", action="store_true",
                       help="start what is due now and return (for a systemd timer or cron)")
    sched.add_argument("--list", action="store_true", help="show the entries and when they "
                                                           "start next")
    add_db_option(sched)
    sched.set_defaults(func=schedule)

    show = csub.add_parser("show", help="one campaign: runs, per-test verdicts, failures")
    show.add_argument("id", type=int)
    add_db_option(show)
    show.set_defaults(func=show_campaign)

    ex = csub.add_parser("export", help="write one campaign (runs, results, metrics) to a "
                                        "file another database can import")
    ex.add_argument("id", type=int)
    ex.add_argument("--to", required=True, metavar="FILE", help="the file (gzip'd JSON Lines)")
    add_db_option(ex)
    ex.set_defaults(func=export_campaign)

    im = csub.add_parser("import", help="add exported campaigns to the database")
    im.add_argument("files", nargs="+", metavar="FILE")
    add_db_option(im)
    im.set_defaults(func=import_campaigns)


CAMPAIGN_LEASE = 1800.0  # a campaign's places are leased for this long, renewed
RENEW_EVERY = 300.0  # ... this often while it runs; a killed campaign's expire


def parse_places(text: str) -> tuple[list[str], list[tuple[str, int]]]:
    """A campaign's stored place, `qemu-virt,board=vboard*2` -> (named places, (board
    tag, count) pairs)."""
    named, boards = [], []
    for item in filter(None, text.split(",")):
        if item.startswith("board="):
            tag, _, count = item[len("board="):].partition("*")
            boards.append((tag, int(count or 1)))
        else:
            named.append(item)
    return named, boards


def places_label(named: list[str], boards: list[tuple[str, int]]) -> str:
    return ",".join(named + [f"board={tag}*{n}" for tag, n in boards])


@contextlib.contextmanager
def campaign_places(args, named: list[str], envs: list[str | None],
                    boards: list[tuple[str, int]]):
    """(PlaceSpecs, keepalive) for the named places and for places reserved by board tag;
    the reserved ones are released on the way out, however the campaign ends (and
    expire CAMPAIGN_LEASE after a campaign killed outright)."""
    from .. import reserve as res
    from .common import coordinator
    leases = []
    try:
        for tag, count in boards:
            with coordinator(args) as coord:
                got = res.reserve_many(coord, tag, count, duration=CAMPAIGN_LEASE)
            leases += got
            print(f"farm: reserved {', '.join(lease.place for lease in got)}", flush=True)
        specs = [camp.resolve_place(name, env, coordinator=coordinator_factory(args))
                 for name, env in zip(named, envs, strict=True)]
        specs += [camp.resolve_place(lease.place, None, coordinator=coordinator_factory(args))
                  for lease in sorted(leases, key=lambda lease: lease.place)]

        def keepalive() -> None:
            if not leases:
                return
            try:
                with coordinator(args) as coord:
                    res.renew(coord, [lease.place for lease in leases], CAMPAIGN_LEASE,
                              time.time())
            except FarmError as e:
                print(f"farm: could not renew the leases: {e}", file=sys.stderr, flush=True)
        yield specs, keepalive
    finally:
        if leases:
            with coordinator(args) as coord:
                for lease in leases:
                    with contextlib.suppress(FarmError):
                        res.release(coord, lease.place, time.time())
            print(f"farm: released {', '.join(lease.place for lease in leases)}", flush=True)


def run(args) -> int:
    with ResultsDB(args.db) as db:
        overrides = {"out_dir": Path(args.out), "run_timeout": args.run_timeout,
                     "commit": args.commit}
        if args.resume is not None:
            if args.suite or args.place or args.board or args.runs or args.hours:
                raise FarmError("--resume takes the campaign's own suite, places and length")
            row = db.campaign(args.resume)
            if row is None:
                raise FarmError(f"no campaign {args.resume} in {db.safe_url}")
            if row["status"] == camp.DONE:
                raise FarmError(f"campaign {args.resume} is already done")
            named, boards = parse_places(row["place"])
            stored_envs = (row["env"] or "").split(",")
            envs = [args.env or (stored_envs[i] if i < len(stored_envs) else None)
                    for i in range(len(named))]
            campaign_id = args.resume
        else:
            if not ((args.place or args.board) and args.suite and (args.runs or args.hours)):
                raise FarmError("campaign run needs --suite, --place or --board, and --runs "
                                "or --hours (or --resume ID)")
            if (args.runs is not None and args.runs < 1) or (args.hours is not None
                                                             and args.hours <= 0):
                raise FarmError("--runs and --hours must be more than zero")
            if args.places < 1:
                raise FarmError("--places must be at least 1")
            named = args.place or []
            envs = [args.env] * len(named)
            boards = [(args.board, args.places)] if args.board else []
        with campaign_places(args, named, envs, boards) as (specs, keepalive):
            if args.resume is not None:
                config = camp.config_from_row(row, specs, **overrides)
            else:
                config = camp.CampaignConfig(suite=args.suite, specs=specs,
                                             runs_wanted=args.runs, hours_wanted=args.hours,
                                             tests=args.tests,
                                             pytest_args=shlex.split(args.pytest_args),
                                             places=places_label(named, boards), **overrides)
                campaign_id = camp.start(db, config)
            status = camp.run_campaign(db, campaign_id, config,
                                       say=lambda s: print(s, flush=True),
                                       keepalive=keepalive, keepalive_every=RENEW_EVERY)
        if args.triage and status == camp.DONE:  # its boards are free again for triage
            triage_campaign(args, db, campaign_id, Path(config.out_dir))
    return 0 if status == camp.DONE else 130


def triage_campaign(args, db: ResultsDB, campaign_id: int, out_dir: Path,
                    say=lambda s: print(s, flush=True)) -> None:
    """Triage the campaign's failed runs on farm boards as `farm triage` does (reruns on
    the board, on --qemu and on a sibling; verdict stored; a board at fault twice in a
    row leaves the pool).  Reruns that would only ask again are spared: a board that
    failed the same tests in several runs is triaged once for them, and once triage has
    put a failure on the OS, the same failure on the other boards is the OS's too.  The
    reruns boot what the tree holds, so a run of another build is left alone, and said."""
    from .triage import failed_on_board, test_names, triage_failures
    failed = [r for r in db.runs(campaign_id) if failed_on_board(r)]
    if not failed:
        return
    tree = camp.git_commit(".")[0]
    judged: dict[tuple, dict] = {}  # (place, failed tests) -> the run triaged for them
    on_os: dict[tuple, dict] = {}  # failed tests -> the run that put them on the OS
    for run in failed:
        where = f"triage: run {run['id']} on {run['place']}"
        if run["commit"] != tree:
            say(f"{where} booted {run['commit']}; the tree now holds {tree}: not triaged "
                f"(farm triage {run['id']} on that build)")
            continue
        tests = tuple(test_names(db.results(run_ids=[run["id"]])))
        if (run["place"], tests) in judged:
            say(f"{where} failed as run {judged[run['place'], tests]['id']} did; triaged "
                "once, with that run")
            continue
        if tests in on_os:
            say(f"{where} failed as run {on_os[tests]['id']} on {on_os[tests]['place']} did, "
                "which triage put on the OS; not rerun")
            continue
        judged[run["place"], tests] = run
        for _, said, why in triage_failures(args, db, [run], tests=args.tests,
                                            out_dir=out_dir / "triage", say=say):
            if said is None:
                say(f"{where} not triaged: {why}")
            elif said == tri.OS_REGRESSION:
                on_os[tests] = run


def schedule(args, clock=None, sleep=time.sleep) -> int:
    import datetime as dt
    import subprocess

    from ..results import schedule as sch
    clock = clock or dt.datetime.now
    entries = sch.load(args.config)
    state_file = sch.state_path(args.config)
    state = sch.read_state(state_file)
    now = clock()
    for entry in entries:  # a new entry starts at its next time, not now
        state.setdefault(entry.name, now)
    sch.write_state(state_file, state)
    if args.list:
        for e in entries:
            print(f"{e.name}: next {e.next_due(now):%a %Y-%m-%d %H:%M}, last started "
                  f"{state[e.name]:%Y-%m-%d %H:%M}: farm {shlex.join(e.argv(args.db))}")
        return 0
    while True:
        for entry in sch.due(entries, state, clock()):
            argv = entry.argv(args.db)
            print(f"schedule: starting {entry.name}: farm {shlex.join(argv)}", flush=True)
            state[entry.name] = clock()
            sch.write_state(state_file, state)
            code = subprocess.run([sys.executable, "-m", "keelfarm.cli.main", *argv]).returncode
            print(f"schedule: {entry.name} ended with status {code}", flush=True)
        if args.once:
            return 0
        now = clock()
        wake = min(e.next_due(now) for e in entries) if entries else now + dt.timedelta(hours=1)
        sleep(max(1.0, min(3600.0, (wake - now).total_seconds())))


def _length(row) -> str:
    """What was asked: N runs, H hours, or '-' for the runs of a bisection or CI."""
    if row["runs_wanted"]:
        return f"{row['runs_wanted']} runs"
    return f"{row['hours_wanted']:g} h" if row["hours_wanted"] else "-"


def list_campaigns(args) -> int:
    with ResultsDB(args.db) as db:
        rows = db.campaigns()
    if not rows:
        print("no campaigns")
        return 0
    header = ("ID", "SUITE", "PLACE", "TARGET", "ASKED", "DONE", "PASSED", "TIME", "STATUS",
              "CREATED")
    table = [header]
    for c in rows:
        table.append((str(c["id"]), c["suite"], c["place"], c["target"], _length(c),
                      str(c["runs_done"]), f"{c['runs_passed']}", format_duration(c["seconds"]),
                      c["status"], c["created"].strftime("%Y-%m-%d %H:%M")))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def show_campaign(args) -> int:
    with ResultsDB(args.db) as db:
        c = db.campaign(args.id)
        if c is None:
            raise FarmError(f"no campaign {args.id} in {db.safe_url}")
        runs = db.runs(args.id)
        counts = db.verdict_counts(args.id)
        results = db.results(campaign_id=args.id)
        flaky = db.flaky(args.id)
        seq_of = {r["id"]: r["seq"] for r in runs}
        triages = db.triages(run_ids=seq_of)
        counted = db.campaign_counts(args.id)
    failures = failure_groups(results)
    passed = sum(r["verdict"] == "pass" for r in runs)
    print(f"campaign {c['id']}: suite '{c['suite']}' on {c['place']} (target {c['target']}, "
          f"{c['env']}), {_length(c)}, {c['status']}")
    print(f"runs: {len(runs)} done, {passed} passed, {len(runs) - passed} not")
    if counted:
        print("counted: " + ", ".join(f"{name} {value:,.0f}"
                                      for name, value in counted.items()))
    for r in runs:
        note = f"  {r['note']}" if r["note"] else ""
        print(f"  run {r['seq']:>4}  {r['commit']:<20} {r['verdict']:<6} "
              f"{r['passed']}/{r['tests'] - r['skipped']} passed  {r['duration']:.1f} s{note}")
    rates = {(r.test, r.commit): r for r in pass_rates(results)}
    print("tests (pass rate per commit, 95% Wilson interval):")
    for test in sorted(counts):
        verdicts = ", ".join(f"{n} {v}" for v, n in sorted(counts[test].items()))
        print(f"  {test}: {verdicts}")
        for (name, commit), rate in rates.items():
            if name == test and rate.trials:
                lo, hi = rate.interval
                print(f"      {commit}: {rate.passed}/{rate.trials} {rate.state} "
                      f"({lo:.2f}-{hi:.2f})")
    if flaky:
        print(f"flaky (a retried latency case needed more than {FLAKY_ATTEMPTS} attempts):")
        for test, worst in sorted(flaky.items()):
            print(f"  {test}: up to {worst} attempts")
    if triages:
        print("triage of the failures on farm boards (reruns on the board, QEMU, a sibling):")
        for t in triages:
            print(f"  run {seq_of[t['run_id']]} (id {t['run_id']}) on {t['place']}: "
                  f"{t['verdict']} ({t['why']}); "
                  f"reruns in campaign {t['campaign_id']}")
    if failures:
        print("failures by signature:")
        for group in failures:
            print(f"  {group.count}x {group.key}")
            print(f"      tests {', '.join(sorted(group.tests))}; commits {group.first_commit}"
                  f"..{group.last_commit}; latest: {group.example}")
            print(f"      log {group.log_path or '-'}")
    return 0


def export_campaign(args) -> int:
    from ..results.archive import export_campaign as export
    with ResultsDB(args.db) as db:
        counts = export(db, args.id, Path(args.to))
    print(f"campaign {args.id}: {counts['runs']} runs, {counts['results']} results, "
          f"{counts['metrics']} metrics written to {args.to}")
    return 0


def import_campaigns(args) -> int:
    """Each file in its own transaction: one that is refused (already there, damaged)
    is said and leaves the others in; the status is 1 if any was refused."""
    from ..results.archive import import_campaign
    refused = 0
    with ResultsDB(args.db) as db:
        for name in args.files:
            try:
                new_id, counts = import_campaign(db, Path(name))
            except FarmError as e:
                print(f"farm: {e}", file=sys.stderr, flush=True)
                refused += 1
                continue
            print(f"{name}: campaign {new_id}: {counts['runs']} runs, {counts['results']} "
                  f"results, {counts['metrics']} metrics")
    return 1 if refused else 0
