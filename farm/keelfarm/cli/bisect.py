"""`farm bisect`: find the first commit where a test goes bad, flaky or not.

    farm bisect --good v0.1 --bad HEAD --suite boot --place qemu-virt
    farm bisect --good 0932f4c --bad main --suite smp_stress --test smp4 --board unmatched

Each candidate is built in a worktree of its own (the checked-out tree is left alone)
and the test runs on it until the stopping rule (bisection.py) is sure; every run goes
into the results database like a campaign's, and the answer with its confidence into
the `bisections` table.  `--board TAG` reserves a place of that kind for the bisection
and releases it at the end.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from ..errors import FarmError
from ..results import bisection as bis
from ..results import campaign as camp
from ..results.resultsdb import ResultsDB
from ..results.worktree import DEFAULT_BUILD, CommitTrees
from .campaign import add_db_option
from .common import coordinator, coordinator_factory


def register(sub) -> None:
    p = sub.add_parser("bisect", help="find the first bad commit of a test, flaky or not")
    p.add_argument("--good", required=True, help="a commit where the test passes")
    p.add_argument("--bad", required=True, help="a later commit where it fails")
    p.add_argument("--suite", required=True, metavar="MARKER", help="pytest -m expression")
    p.add_argument("--test", metavar="EXPR", help="pytest -k expression: judge only these tests")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--place", help="environment name (farm/envs/NAME.yaml) or a farm "
                                       "place you hold")
    where.add_argument("--board", metavar="TAG", help="reserve a place of this kind for the "
                                                      "bisection")
    p.add_argument("--env", help="labgrid environment file (default: by the place)")
    p.add_argument("--repo", default=".", help="the git repository (default .)")
    p.add_argument("--build", default=DEFAULT_BUILD, metavar="CMD",
                   help="build command, run in each commit's worktree (default %(default)s)")
    p.add_argument("--tests", default="tests", help="what pytest collects (default tests)")
    p.add_argument("--rule", choices=("sequential", "fixed"), default="sequential",
                   help="sequential: runs by the measured flakiness; fixed: the first to "
                        "3 fails or 3 passes (the baseline)")
    p.add_argument("--confidence", type=float, default=0.95,
                   help="how sure each step must be (default %(default)s)")
    p.add_argument("--max-runs", type=int, default=40,
                   help="runs per commit at most (default %(default)s)")
    p.add_argument("--run-timeout", type=float, default=camp.DEFAULT_RUN_TIMEOUT,
                   metavar="SECONDS", help="bound on one run (default %(default).0f)")
    p.add_argument("--out", default="build/bisect",
                   help="worktrees and runs go to OUT/<id>/ (default %(default)s)")
    add_db_option(p)
    p.set_defaults(func=run)


@contextlib.contextmanager
def _place(args):
    """The place to run on: --place as given, or one reserved by --board (released on
    the way out, however the bisection ends)."""
    if args.place:
        yield args.place
        return
    from ..reserve import release, reserve
    with coordinator(args) as coord:
        lease = reserve(coord, board=args.board, wait=True, duration=24 * 3600)
    print(f"farm: reserved {lease.place} for the bisection", flush=True)
    try:
        yield lease.place
    finally:
        with coordinator(args) as coord:
            release(coord, lease.place, time.time())
        print(f"farm: released {lease.place}", flush=True)


def _record_step(db: ResultsDB, bisection_id: int, step: bis.Step) -> None:
    ev = step.evidence
    db.add_bisect_step(bisection_id, commit=step.commit[:12], role=step.role,
                       verdict=step.verdict, passed=ev.passed, failed=ev.failed,
                       broken=ev.broken, confidence=step.confidence, note=step.note)


def run(args) -> int:
    if not 0.5 < args.confidence < 1.0:
        raise FarmError("--confidence must be between 0.5 and 1")
    commits = bis.commit_range(args.repo, args.good, args.bad)
    say = lambda s: print(s, flush=True)  # noqa: E731
    with ResultsDB(args.db) as db, _place(args) as place:
        spec = camp.resolve_place(place, args.env, coordinator=coordinator_factory(args))
        campaign_id = db.create_campaign(suite=args.suite, place=spec.place,
                                         target=spec.target, env=spec.env,
                                         tests_path=args.tests)
        bisection_id = db.create_bisection(suite=args.suite, test=args.test, place=spec.place,
                                           good=commits[0][:12], bad=commits[-1][:12],
                                           campaign_id=campaign_id)
        base = Path(args.out) / str(bisection_id)
        say(f"bisection {bisection_id}: {len(commits)} commits from "
            f"{bis.describe(args.repo, commits[0])} to {bis.describe(args.repo, commits[-1])}, "
            f"suite '{args.suite}'" + (f" -k '{args.test}'" if args.test else "")
            + f" on {spec.place}")
        status, note, outcome = "failed", None, None
        try:
            with camp.Stopper(say) as stopper, CommitTrees(args.repo, base / "trees",
                                                           args.build) as trees:
                probe = bis.TreeProbe(trees, spec, db, campaign_id, suite=args.suite,
                                      tests=args.tests, test=args.test, out_dir=base,
                                      stopper=stopper, run_timeout=args.run_timeout)
                rule = bis.FixedRule() if args.rule == "fixed" else None
                outcome = bis.bisect(commits, probe, rule=rule, level=args.confidence,
                                     max_runs=args.max_runs, say=say,
                                     on_step=lambda s: _record_step(db, bisection_id, s))
            status = "done"
        except KeyboardInterrupt:
            status, note = "interrupted", "interrupted"
            raise
        except FarmError as e:
            note = str(e)
            raise
        finally:
            db.set_campaign_status(campaign_id, camp.DONE if status == "done"
                                   else camp.INTERRUPTED)
            db.finish_bisection(bisection_id, status=status, note=note,
                                **(_answer(outcome) if outcome else {}))
    _report(args, outcome)
    return 0


def _answer(outcome: bis.Outcome) -> dict:
    return {"rule": outcome.rule, "first_bad": outcome.first_bad[:12],
            "candidates": [c[:12] for c in outcome.candidates],
            "confidence": outcome.confidence}


def _report(args, outcome: bis.Outcome) -> None:
    print(f"rule: {outcome.rule}; {outcome.runs} runs")
    for step in outcome.steps:
        ev = step.evidence
        lo, hi = ev.fail_interval()
        print(f"  {step.commit[:12]}  {step.role:<9} {step.verdict or '-':<5} "
              f"{ev.failed}/{ev.runs} failed (95% {lo:.2f}-{hi:.2f})"
              + (f", {ev.broken} broken" if ev.broken else "")
              + (f"  {step.note}" if step.note else ""))
    if len(outcome.candidates) > 1:
        print("first bad commit is one of (the others did not build or gave no verdict):")
        for c in outcome.candidates:
            print(f"  {bis.describe(args.repo, c)}")
    else:
        print(f"first bad commit: {bis.describe(args.repo, outcome.first_bad)} "
              f"(confidence {outcome.confidence:.3f})")
