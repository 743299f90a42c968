"""`farm ci [COMMIT]`: build a commit, run every suite on every place, say what broke.

    farm ci                                   # HEAD on qemu-virt and every healthy board
    farm ci 0932f4c --place qemu-virt --board vboard --board unmatched

The commit is built in a worktree of its own (`--build`, default `make`; use e.g.
`--build 'docker run --rm -v $PWD:/src -w /src keel-build make'` for the build image),
then each suite runs once on every place at the same time — local QEMU environments
(`--place`) and every healthy free board of each `--board` kind, reserved for the run
and released after.  Without either, that is qemu-virt and every kind of board the
coordinator has a healthy place of (none when no coordinator answers).  Everything is
stored as one campaign per suite; the verdict table is suite x place, and the exit
status is 1 if a test regressed against the last commit that ran the same suite on the
same kind of board (civerdict.py; known flaky tests are listed apart).  Each place runs
what make test's run there runs: its environment's `keel_per_commit` leave-outs apply
(keelfarm/selection.py).

A failed run on a farm board is triaged once the boards are released (`farm triage`'s
reruns on the board, on `--qemu` and on a sibling board, with the commit's build): a
failure that triage puts on the board or on chance everywhere it failed is listed
apart and is no regression, and a board at fault twice in a row leaves the pool.
`--no-triage` leaves the failures as they are.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from ..errors import FarmError
from ..results import bisection as bis
from ..results import campaign as camp
from ..results import civerdict
from ..results.resultsdb import ResultsDB
from ..results.worktree import DEFAULT_BUILD, CommitTrees
from .campaign import add_db_option, campaign_places, places_label

SUITES = ["boot", "smp_stress", "login", "conformance", "spawn_stress"]
# Each place's per-commit selection, as make test's (its environment's keel_per_commit)
PER_COMMIT = "--keel-per-commit"


def register(sub) -> None:
    p = sub.add_parser("ci", help="build a commit and run every suite on every place")
    p.add_argument("commit", nargs="?", default="HEAD", help="the commit (default HEAD)")
    p.add_argument("--suite", action="append", metavar="MARKER",
                   help=f"a suite to run; again for more (default: {', '.join(SUITES)})")
    p.add_argument("--place", action="append",
                   help="a local environment or a place you hold; again for more "
                        "(default qemu-virt unless --board is given)")
    p.add_argument("--board", action="append", metavar="TAG",
                   help="every healthy free place of this kind; again for more kinds "
                        "(default: every kind with a healthy place, unless --place is given)")
    p.add_argument("--env", help="labgrid environment file for the --place entries")
    p.add_argument("--repo", default=".", help="the git repository (default .)")
    p.add_argument("--build", default=DEFAULT_BUILD, metavar="CMD",
                   help="build command, run in the commit's worktree (default %(default)s)")
    p.add_argument("--tests", default="tests", help="what pytest collects (default tests)")
    p.add_argument("--pytest-args", default="", metavar="ARGS",
                   help="more pytest arguments for every run, one string (e.g. "
                        "'--deselect tests/test_x.py::test_y')")
    p.add_argument("--run-timeout", type=float, default=camp.DEFAULT_RUN_TIMEOUT,
                   metavar="SECONDS", help="bound on one run (default %(default).0f)")
    p.add_argument("--out", default="build/ci", help="worktrees and runs go to OUT/ "
                                                     "(default %(default)s)")
    p.add_argument("--qemu", default="qemu-virt",
                   help="local environment for triage's QEMU rerun (default %(default)s)")
    p.add_argument("--no-triage", dest="triage", action="store_false",
                   help="do not rerun failures on farm boards to tell board faults apart")
    add_db_option(p)
    p.set_defaults(func=run)


def _board_counts(args, tags: list[str]) -> list[tuple[str, int]]:
    """(tag, how many places carry it) for each --board."""
    from .common import coordinator
    with coordinator(args) as coord:
        places = list(coord.places().values())
    counts = [(tag, sum(p.tags.get("board") == tag for p in places)) for tag in tags]
    for tag, n in counts:
        if not n:
            raise FarmError(f"no place is tagged board={tag}")
    return counts


def healthy_kinds(args, say) -> list[str]:
    """The board tags the coordinator has a healthy place of; none (said) when no
    coordinator answers."""
    from .. import health
    from ..remote import coordinator_address, probe
    from .common import coordinator
    address = coordinator_address(getattr(args, "coordinator", None))
    if not probe(address):
        say(f"ci: no coordinator at {address}; local places only")
        return []
    with coordinator(args) as coord:
        return sorted({p.tags["board"] for p in coord.places().values()
                       if p.tags.get("board") and health.health(p) == health.OK})


def run(args) -> int:
    repo = Path(args.repo).resolve()
    commit = bis.resolve(repo, args.commit)
    suites = args.suite or SUITES
    say = lambda s: print(s, flush=True)  # noqa: E731
    named = args.place or ([] if args.board else ["qemu-virt"])
    kinds = args.board or ([] if args.place else healthy_kinds(args, say))
    boards = _board_counts(args, kinds) if kinds else []
    out = Path(args.out).resolve()
    with ResultsDB(args.db) as db, CommitTrees(repo, out / "trees", args.build) as trees:
        say(f"ci: building {bis.describe(repo, commit)} ({args.build})")
        if not trees.build(commit):
            tail = trees.build_log(commit).read_text(errors="replace").splitlines()[-15:]
            say("\n".join(f"  {line}" for line in tail))
            raise FarmError(f"{commit[:12]} does not build; log {trees.build_log(commit)}")
        tree = trees.checkout(commit)
        name, when = camp.git_commit(tree)
        campaigns, status = {}, camp.DONE
        with campaign_places(args, named, [args.env] * len(named), boards) as (specs, alive):
            specs = [camp.PlaceSpec(s.place, s.target, str(trees.rebase(commit, s.env)),
                                    s.env_vars) for s in specs]
            verdict = civerdict.Verdict(name, [s.place for s in specs], suites)
            for suite in suites:
                config = camp.CampaignConfig(
                    suite=suite, specs=specs, runs_wanted=len(specs), per_place=1,
                    tests=args.tests, pytest_args=[PER_COMMIT, *shlex.split(args.pytest_args)],
                    out_dir=out / "campaigns", run_timeout=args.run_timeout,
                    commit=name, commit_time=when, repo=tree, cwd=tree, keep_empty=False,
                    places=places_label(named, boards))
                campaign_id = campaigns[suite] = camp.start(db, config)
                status = camp.run_campaign(db, campaign_id, config, say=say, keepalive=alive)
                judge(db, verdict, suite, campaign_id, name)
                if status != camp.DONE:  # a ci run runs each place once: only Ctrl-C stops it
                    say(f"ci: stopped in suite '{suite}'; the suites after it did not run, "
                        f"and nothing was triaged")
                    break
        if args.triage and status == camp.DONE:  # the boards are free again for triage
            triage_boards(args, db, verdict, campaigns, tree=tree,
                          env_of=lambda path: trees.rebase(commit, path), out=out, say=say)
    print(verdict.report())
    if status != camp.DONE:
        return 130
    return 1 if verdict.regressions else 0


def triage_boards(args, db: ResultsDB, verdict: civerdict.Verdict, campaigns: dict[str, int],
                  *, tree: Path, env_of, out: Path, say) -> None:
    """Triage every failed board run of the suites' campaigns and fold the verdicts into
    `verdict`.  A triage that cannot run (no QEMU environment, the board not free) is
    said, and leaves that failure as it was."""
    from .triage import failed_on_board, triage_failures
    suite_of = {campaign_id: suite for suite, campaign_id in campaigns.items()}
    failed = [run for campaign_id in campaigns.values() for run in db.runs(campaign_id)
              if failed_on_board(run)]
    for run, said, why in triage_failures(args, db, failed, tests=args.tests,
                                          out_dir=out / "triage", tree=tree, env_of=env_of,
                                          say=say):
        where = f"{suite_of[run['campaign_id']]} on {run['place']} (run {run['id']})"
        if said is None:
            verdict.triages.append(f"{where}: not triaged: {why}")
            continue
        verdict.triages.append(f"{where}: {said} ({why})")
        verdict.apply_triage(suite_of[run["campaign_id"]], run["place"], said)


def judge(db: ResultsDB, verdict: civerdict.Verdict, suite: str, campaign_id: int,
          commit: str) -> None:
    """Fill in the cells and findings of `suite` from its campaign's runs."""
    runs = db.runs(campaign_id)
    results = db.results(campaign_id=campaign_id)
    for place in verdict.places:
        run = next((r for r in runs if r["place"] == place), None)
        verdict.cells[(suite, place)] = civerdict.cell_for(run)
    for target in sorted({r["target"] for r in runs}):
        now = [r for r in results if r["target"] == target]
        verdict.findings += civerdict.classify(suite, target, commit, now,
                                               db.suite_results(suite, target))
