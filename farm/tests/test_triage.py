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
