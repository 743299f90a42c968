"""Triage: whose fault a board's failure is, from reruns on the same board, QEMU and a
sibling; stored, and two board faults in a row take the board out of the pool."""

import datetime as dt

import pytest
from farmfakes import ME, FakeCoordinator

from keelfarm.cli import common
from keelfarm.cli.main import main
from keelfarm.results import campaign as camp
from keelfarm.results import triage as tri
from keelfarm.results.resultsdb import ResultRecord, ResultsDB, RunRecord


@pytest.mark.parametrize("board, qemu, sibling, verdict", [
    ("fail", "fail", "fail", tri.OS_REGRESSION),
    ("pass", "pass", "fail", tri.OS_REGRESSION),  # reproduced on another board
    ("fail", "fail", None, tri.OS_REGRESSION),
    ("pass", "pass", "pass", tri.FLAKY),
    ("fail", "pass", "pass", tri.BOARD_FAULT),
    ("fail", "broken", "pass", tri.BOARD_FAULT),
    ("fail", "pass", None, tri.UNKNOWN),  # no sibling: a board-kind OS bug is possible
    ("broken", "broken", "broken", tri.UNKNOWN),
])
def test_the_verdict_follows_where_the_failure_reproduces(board, qemu, sibling, verdict):
    got, why = tri.decide(tri.Reruns(board, qemu, sibling, "vboard-2"))
    assert got == verdict, why


def test_two_board_faults_in_a_row_make_a_board_unhealthy():
    assert tri.should_mark_unhealthy([tri.FLAKY, tri.BOARD_FAULT, tri.BOARD_FAULT])
    assert not tri.should_mark_unhealthy([tri.BOARD_FAULT, tri.FLAKY, tri.BOARD_FAULT])
    assert not tri.should_mark_unhealthy([tri.BOARD_FAULT])


@pytest.fixture
def farm(monkeypatch, tmp_path):
    coord = FakeCoordinator()
    for name in ("vboard-1", "vboard-2"):
        coord.add(name, board="vboard", health="ok")
    monkeypatch.setattr(common.Coordinator, "connect", staticmethod(lambda _addr=None: coord))
    env = tmp_path / "vboard.yaml"
    env.write_text("targets:\n  main:\n    resources:\n      RemotePlace:\n        name: x\n")
    monkeypatch.setattr(camp, "git_commit", lambda repo=".": ("abc1234", None))
    monkeypatch.setattr(camp, "resolve_place", lambda name, env=None, coordinator=None:
                        camp.PlaceSpec(name, "vboard" if "vboard" in name else name, "e.yaml"))
    db = tmp_path / "r.db"
    with ResultsDB(db) as store:
        run_id = store.add_run(RunRecord(
            commit="abc1234", target="vboard", place="vboard-1", env=str(env),
            started=dt.datetime(2026, 1, 1), duration=30.0, verdict="fail",
            results=[ResultRecord("test_boot::test_boot[smp4]", "failed"),
                     ResultRecord("test_panic::test_panic", "passed")]))
    return coord, db, run_id


def rerun_verdicts(monkeypatch, verdicts, seen, notes=None):
    def fake_run_campaign(db, campaign_id, config, say):
        seen.append((sorted(s.place for s in config.specs), config.pytest_args))
        for spec in config.specs:
            db.add_run(RunRecord(commit="abc1234", target=spec.target, place=spec.place,
                                 started=dt.datetime(2026, 1, 2), duration=1.0,
                                 verdict=verdicts[spec.place], campaign_id=campaign_id,
                                 note=(notes or {}).get(spec.place)))
        return camp.DONE
    monkeypatch.setattr(camp, "run_campaign", fake_run_campaign)


def test_farm_triage_stores_the_verdict_and_a_second_board_fault_takes_the_board_out(
        farm, monkeypatch, capsys):
    coord, db, run_id = farm
    seen = []
    rerun_verdicts(monkeypatch, {"vboard-1": "fail", "vboard-2": "pass", "qemu-virt": "pass"},
                   seen)
    assert main(["triage", str(run_id), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert seen[0] == (["qemu-virt", "vboard-1", "vboard-2"], ["-k", "test_boot"])
    assert f"run {run_id} on vboard-1: board fault (fails again on this board, passes on " \
           "vboard-2 and on QEMU)" in out
    assert coord.place("vboard-1").tags["health"] == "ok"  # one fault is not enough
    assert all(p.acquired is None for p in coord.places().values())  # both released
    assert main(["triage", str(run_id), "--db", str(db)]) == 0
    assert "is now tagged unhealthy" in capsys.readouterr().out
    assert coord.place("vboard-1").tags["health"] == "bad"
    with ResultsDB(db) as store:
        rows = store.triages(place="vboard-1")
    assert [(r["verdict"], r["board_rerun"], r["qemu_rerun"], r["sibling"],
             r["sibling_rerun"]) for r in rows] == 2 * [("board fault", "fail", "pass",
                                                         "vboard-2", "pass")]


def test_a_board_that_hangs_again_on_the_rerun_is_at_fault(farm, monkeypatch, capsys):
    """A hang on a board makes a campaign's run broken (no verdict on the OS), but for
    triage the same board going silent again is the failure coming back there."""
    coord, db, run_id = farm
    hung = f"{camp.BOARD_HUNG}: test_boot::test_boot[smp4]: HANG: no console output"
    rerun_verdicts(monkeypatch, {"vboard-1": "broken", "vboard-2": "pass",
                                 "qemu-virt": "pass"}, [], notes={"vboard-1": hung})
    assert main(["triage", str(run_id), "--db", str(db)]) == 0
    assert f"run {run_id} on vboard-1: board fault" in capsys.readouterr().out
    # a rerun broken for another reason (the exporter went) blames nobody
    rerun_verdicts(monkeypatch, {"vboard-1": "broken", "vboard-2": "pass",
                                 "qemu-virt": "pass"}, [],
                   notes={"vboard-1": "lost the place: x: SerialException"})
    assert main(["triage", str(run_id), "--db", str(db)]) == 0
    assert f"run {run_id} on vboard-1: unknown (no verdict from the same board)" in \
        capsys.readouterr().out


def test_farm_triage_refuses_what_it_cannot_rerun(farm, monkeypatch, capsys):
    coord, db, run_id = farm
    assert main(["triage", "99", "--db", str(db)]) == 1
    assert "no run 99" in capsys.readouterr().err
    monkeypatch.setattr(camp, "git_commit", lambda repo=".": ("def5678", None))
    assert main(["triage", str(run_id), "--db", str(db)]) == 1
    assert "booted abc1234; the tree holds def5678" in capsys.readouterr().err
    assert ME not in {p.acquired for p in coord.places().values()}


# -- farm campaign run triages its own failures on boards -----------------------------------

def campaign_on_boards(monkeypatch, env, fails, seen):
    """run_campaign stand-in: the campaign's runs go round its places, failing `fails[
    'run'][place]` there; triage's reruns (pytest -k) fail `fails['rerun'][place]`."""
    def fake_run_campaign(db, campaign_id, config, say, **_):
        kind = "rerun" if "-k" in config.pytest_args else "run"
        seen.append((kind, sorted(s.place for s in config.specs), config.pytest_args))
        wanted = config.runs_wanted
        for seq in range(1, wanted + 1):
            spec = config.specs[(seq - 1) % len(config.specs)]
            bad = fails[kind].get(spec.place)
            db.add_run(RunRecord(
                commit="abc1234", target=spec.target, place=spec.place,
                env=str(env) if spec.place.startswith("vboard") else "e.yaml",
                started=dt.datetime(2026, 1, 2), duration=1.0,
                verdict="fail" if bad else "pass", campaign_id=campaign_id, seq=seq,
                results=[ResultRecord(f"test_boot::{bad or 'test_boot'}",
                                      "failed" if bad else "passed", message="no banner")]))
        return camp.DONE
    monkeypatch.setattr(camp, "run_campaign", fake_run_campaign)


def test_a_campaign_triages_each_board_failure_once_and_shows_the_verdict(
        farm, monkeypatch, capsys, tmp_path):
    coord, db, _ = farm
    env = tmp_path / "vboard.yaml"
    seen = []
    fails = {"run": {"vboard-1": "test_boot"},
             "rerun": {"vboard-1": "test_boot", "vboard-2": None, "qemu-virt": None}}
    campaign_on_boards(monkeypatch, env, fails, seen)
    argv = ["campaign", "run", "--suite", "boot", "--board", "vboard", "--places", "2",
            "--runs", "4", "--db", str(db)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    # runs 1 and 3 failed alike on vboard-1: one triage, on the board, QEMU and vboard-2,
    # after the campaign gave both boards back
    assert seen == [("run", ["vboard-1", "vboard-2"], []),
                    ("rerun", ["qemu-virt", "vboard-1", "vboard-2"], ["-k", "test_boot"])]
    with ResultsDB(db) as store:
        runs = {r["seq"]: r for r in store.runs(1)}
        rows = store.triages(run_ids=[r["id"] for r in runs.values()])
    assert [(r["run_id"], r["verdict"], r["sibling"]) for r in rows] == [
        (runs[1]["id"], tri.BOARD_FAULT, "vboard-2")]
    assert f"triage: run {runs[3]['id']} on vboard-1 failed as run {runs[1]['id']} did; " \
           "triaged once, with that run" in out
    assert f"run {runs[1]['id']} on vboard-1: board fault" in out
    assert all(p.acquired is None for p in coord.places().values())
    assert coord.place("vboard-1").tags["health"] == "ok"
    assert main(["campaign", "show", "1", "--db", str(db)]) == 0
    show = capsys.readouterr().out
    assert f"  run 1 (id {runs[1]['id']}) on vboard-1: board fault (fails again on this " \
           "board, passes on vboard-2 and on QEMU); reruns in campaign 2" in show
    # the next campaign's failure there is the board's second fault in a row: out of the pool
    assert main(argv) == 0
    assert "vboard-1 is at fault 2 times in a row and is now tagged unhealthy" in \
        capsys.readouterr().out
    assert coord.place("vboard-1").tags["health"] == "bad"


def test_a_campaign_triages_nothing_when_told_not_to_or_built_otherwise(
        farm, monkeypatch, capsys, tmp_path):
    coord, db, _ = farm
    seen = []
    fails = {"run": {"vboard-1": "test_boot"}, "rerun": {}}
    campaign_on_boards(monkeypatch, tmp_path / "vboard.yaml", fails, seen)
    argv = ["campaign", "run", "--suite", "boot", "--board", "vboard", "--places", "2",
            "--runs", "2", "--db", str(db)]
    assert main([*argv, "--no-triage"]) == 0
    assert [s[0] for s in seen] == ["run"]
    monkeypatch.setattr(camp, "git_commit", lambda repo=".": ("def5678", None))
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert [s[0] for s in seen] == ["run", "run"]  # the tree is another build: no reruns
    assert "booted abc1234; the tree now holds def5678: not triaged" in out
    with ResultsDB(db) as store:
        assert store.triages() == []


def test_a_failure_triage_put_on_the_os_is_not_rerun_for_each_other_board(
        farm, monkeypatch, capsys, tmp_path):
    coord, db, _ = farm
    coord.add("vboard-3", board="vboard", health="ok")
    seen = []
    fails = {"run": {"vboard-1": "test_boot", "vboard-2": "test_boot"},
             "rerun": {"vboard-1": "test_boot", "vboard-2": "test_boot", "vboard-3": "test_boot",
                       "qemu-virt": "test_boot"}}
    campaign_on_boards(monkeypatch, tmp_path / "vboard.yaml", fails, seen)
    assert main(["campaign", "run", "--suite", "boot", "--board", "vboard", "--places", "3",
                 "--runs", "3", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert [s[0] for s in seen] == ["run", "rerun"]
    with ResultsDB(db) as store:
        runs = {r["place"]: r["id"] for r in store.runs(1)}
        assert [(t["run_id"], t["verdict"]) for t in store.triages()] == [
            (runs["vboard-1"], tri.OS_REGRESSION)]
    assert f"triage: run {runs['vboard-2']} on vboard-2 failed as run {runs['vboard-1']} on " \
           "vboard-1 did, which triage put on the OS; not rerun" in out
