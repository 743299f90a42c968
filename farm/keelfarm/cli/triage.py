"""`farm triage RUN`: rerun a board's failed run on the same board, on QEMU and on a
sibling board, and say whose fault it was.

    farm triage 412                 # run 412 of the results database failed on vboard-2
    farm triage 412 --qemu qemu-sifive-u

The failed tests (pytest -k by their names) run once on each of the three places at
the same time, as a campaign of their own; the verdict (triage.py) is stored with the
run, and a board with two board-fault verdicts in a row is tagged unhealthy.  The
reruns boot what the tree holds, so it must hold the run's build.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from .. import health
from ..errors import FarmError
from ..results import campaign as camp
from ..results import triage as tri
from ..results.resultsdb import ResultsDB
from ..results.stability import FAIL_VERDICTS
from .campaign import add_db_option
from .common import coordinator, coordinator_factory


def register(sub) -> None:
    p = sub.add_parser("triage", help="rerun a board's failure on the board, QEMU and a "
                                      "sibling: OS regression, board fault or flaky")
    p.add_argument("run", type=int, help="the failed run (its id in the results database)")
    p.add_argument("--qemu", default="qemu-virt",
                   help="local environment for the QEMU rerun (default %(default)s)")
    p.add_argument("--tests", default="tests", help="what pytest collects (default tests)")
    p.add_argument("--out", default="build/triage", help="run directories (default %(default)s)")
    add_db_option(p)
    p.set_defaults(func=run)


def test_names(rows: list[dict]) -> list[str]:
    """The failed tests' function names (`mod::test_x[p]` -> test_x), for pytest -k."""
    names = {r["test"].rsplit("::", 1)[-1].split("[", 1)[0] for r in rows
             if r["verdict"] in FAIL_VERDICTS}
    return sorted(names)


@contextlib.contextmanager
def _held(args, board: str, kind: str):
    """Hold the failed board (by name) and one sibling of its kind, if one is free;
    release both on the way out."""
    from .. import reserve as res
    held = []
    try:
        with coordinator(args) as coord:
            held.append(res.reserve(coord, place=board, duration=3600, wait=True,
                                    timeout=600).place)
            try:
                held.append(res.reserve(coord, board=kind, duration=3600).place)
            except FarmError as e:
                print(f"farm: no sibling {kind} board: {e}", flush=True)
        yield held[1] if len(held) > 1 else None
    finally:
        with coordinator(args) as coord:
            for name in held:
                with contextlib.suppress(FarmError):
                    res.release(coord, name, time.time())


def failed_on_board(run: dict) -> bool:
    """A run on a farm board whose failure triage can judge: failed tests, or a board
    gone silent mid-test (a broken run only for a campaign)."""
    return bool(run["env"]) and camp.is_remote_env(run["env"]) and (
        run["verdict"] == camp.RUN_FAIL or camp.hung_on_board(run))


def triage_failures(args, db: ResultsDB, runs: list[dict], *, tests: str, out_dir: Path,
                    tree: Path | None = None, env_of=lambda path: path,
                    say=lambda s: print(s, flush=True)) -> list[tuple[dict, str | None, str]]:
    """Triage each of `runs` (failed runs on farm boards, which must be free again) with
    `args.qemu` for the QEMU rerun: [(run, verdict, why)], where a triage that could not
    run (no QEMU environment, the board not free, nothing to rerun) has verdict None and
    says why.  Shared by `farm ci` and `farm campaign run`."""
    if not runs:
        return []
    qemu = camp.resolve_place(args.qemu)
    qemu = camp.PlaceSpec(qemu.place, qemu.target, str(env_of(qemu.env)), qemu.env_vars)
    judged = []
    for failed in runs:
        try:
            said, why = triage_run(args, db, failed, qemu=qemu, tests=tests, out_dir=out_dir,
                                   tree=tree, env_of=env_of, say=say)
        except FarmError as e:
            judged.append((failed, None, str(e)))
            continue
        judged.append((failed, said, why))
    return judged


def run(args) -> int:
    with ResultsDB(args.db) as db:
        failed_run = db.run(args.run)
        if failed_run is None:
            raise FarmError(f"no run {args.run} in {db.safe_url}")
        tree = camp.git_commit(".")[0]
        if tree != failed_run["commit"]:
            raise FarmError(f"run {args.run} booted {failed_run['commit']}; the tree holds "
                            f"{tree}: check that out and build it first")
        triage_run(args, db, failed_run, qemu=camp.resolve_place(args.qemu),
                   tests=args.tests, out_dir=Path(args.out))
    return 0


def triage_run(args, db: ResultsDB, failed_run: dict, *, qemu: camp.PlaceSpec, tests: str,
               out_dir: Path, tree: Path | None = None, env_of=lambda path: path,
               say=lambda s: print(s, flush=True)) -> tuple[str, str]:
    """Rerun the failed tests of `failed_run` (a run on a farm board, of the build that
    `tree`, default the working directory, holds) on its board, on `qemu` and on a free
    sibling board; store the verdict and take the board out of the pool after its
    second board fault in a row.  `env_of` maps a board's environment file to the one
    to use (`farm ci` gives its commit's worktree copy).  The failed board must be free
    to reserve.  Returns (verdict, why)."""
    run_id = failed_run["id"]
    names = test_names(db.results(run_ids=[run_id]))
    if not names:
        raise FarmError(f"run {run_id} has no failed test to triage")
    board, kind = failed_run["place"], failed_run["target"]
    if not (failed_run["env"] and camp.is_remote_env(failed_run["env"])):
        raise FarmError(f"run {run_id} ran on {board}, not on a farm board")
    suite = (db.campaign(failed_run["campaign_id"]) or {}).get("suite") or "boot"
    say(f"triage of run {run_id}: {', '.join(names)} failed on {board} at "
        f"{failed_run['commit']}")

    def on_board(name: str) -> camp.PlaceSpec:
        spec = camp.resolve_place(name, None, coordinator=coordinator_factory(args))
        return camp.PlaceSpec(spec.place, spec.target, str(env_of(spec.env)), spec.env_vars)

    with _held(args, board, kind) as sibling:
        specs = [on_board(board), qemu] + ([on_board(sibling)] if sibling else [])
        where = {} if tree is None else {"repo": tree, "cwd": tree,
                                         "commit": failed_run["commit"],
                                         "commit_time": failed_run["commit_time"]}
        config = camp.CampaignConfig(
            suite=suite, specs=specs, runs_wanted=len(specs), per_place=1,
            tests=tests, pytest_args=["-k", " or ".join(names)],
            out_dir=out_dir, broken_limit=1, **where)
        campaign_id = camp.start(db, config)
        camp.run_campaign(db, campaign_id, config, say=say)
    # a rerun whose board hung again is broken for a campaign, but here it is what
    # triage asks: the failure came back on that board
    verdicts = {r["place"]: "fail" if camp.hung_on_board(r) else r["verdict"]
                for r in db.runs(campaign_id)}
    reruns = tri.Reruns(board=verdicts.get(board), qemu=verdicts.get(qemu.place),
                        sibling=verdicts.get(sibling) if sibling else None,
                        sibling_name=sibling)
    verdict, why = tri.decide(reruns)
    db.add_triage(run_id=run_id, place=board, target=kind, commit=failed_run["commit"],
                  verdict=verdict, why=why, board_rerun=reruns.board,
                  qemu_rerun=reruns.qemu, sibling=sibling, sibling_rerun=reruns.sibling,
                  campaign_id=campaign_id)
    history = [t["verdict"] for t in db.triages(place=board)]
    say(f"run {run_id} on {board}: {verdict} ({why})")
    if tri.should_mark_unhealthy(history):
        with coordinator(args) as coord:
            health.mark_bad(coord, board)
        say(f"farm: {board} is at fault {tri.FAULTS_TO_UNHEALTHY} times in a row and is now "
            f"tagged unhealthy; a passing health check (farm reserve --place {board}, "
            f"farm health {board}) brings it back")
    return verdict, why
