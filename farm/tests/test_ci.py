"""`farm ci`: regressions against the last commit that ran a suite, known flaky tests
apart; and whole CI runs of a throwaway repository's commits on two places."""

import datetime as dt

import pytest
from gitrepo import commit, git

from keelfarm.cli import main as cli
from keelfarm.results import civerdict as cv
from keelfarm.results.resultsdb import ResultsDB


def row(test, verdict, commit, minute, **kw):
    return {"test": test, "verdict": verdict, "commit": commit, "target": "qemu-virt",
            "started": dt.datetime(2026, 1, 1, 0, minute), **kw}


def test_a_test_that_passed_on_the_last_commit_and_fails_now_is_a_regression():
    history = [row("a", "passed", "c1", 1), row("b", "passed", "c1", 1),
               row("a", "passed", "c2", 2), row("b", "failed", "c2", 2),
               row("b", "passed", "c2", 2), row("a", "failed", "c3", 3, signature="KEEL PANIC: x")]
    now = [row("a", "failed", "c3", 3, signature="KEEL PANIC: x"), row("b", "failed", "c3", 3),
           row("c", "error", "c3", 3, message="new test")]
    found = cv.classify("boot", "qemu-virt", "c3", now, history)
    assert [(f.kind, f.test) for f in found] == [
        (cv.REGRESSION, "a"), (cv.FLAKY, "b"), (cv.FAILING, "c")]
    assert found[0].before == "c2" and found[0].detail == "KEEL PANIC: x"
    assert found[1].history == "2/3 passed before"


def test_a_test_is_known_flaky_by_mixed_verdicts_or_by_coming_back_and_going_again():
    def rows(*verdicts):
        return [row("a", v, f"c{i // 2}", i) for i, v in enumerate(verdicts)]
    assert cv.known_flaky(rows("passed", "failed"))  # both on commit c0
    assert not cv.known_flaky(rows("passed", "passed", "failed", "failed"))  # went bad
    assert not cv.known_flaky(rows("failed", "failed", "passed", "passed"))  # was mended
    assert cv.known_flaky(rows("passed", "passed", "failed", "failed", "passed", "passed"))


def test_a_test_failing_on_the_last_commit_too_is_no_regression():
    history = [row("a", "failed", "c1", 1), row("a", "failed", "c2", 2)]
    found = cv.classify("boot", "qemu-virt", "c3", [row("a", "failed", "c3", 3)], history)
    assert [f.kind for f in found] == [cv.FAILING]


def test_the_verdict_table_is_suite_by_place():
    v = cv.Verdict("abc", ["qemu-virt", "vboard-1"], ["boot", "smp_stress"])
    v.cells[("boot", "qemu-virt")] = cv.Cell("pass", 12, 12)
    v.cells[("boot", "vboard-1")] = cv.Cell("fail", 11, 12)
    v.cells[("smp_stress", "qemu-virt")] = cv.Cell("broken")
    assert v.table().splitlines() == [
        "SUITE       qemu-virt   vboard-1",
        "boot        pass 12/12  FAIL 11/12",
        "smp_stress  broken      -"]


SUITE = '''
import pathlib

import pytest

TREE = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.boot
def test_answer():
    assert (TREE / "answer.txt").read_text() == "42\\n"


@pytest.mark.boot
def test_mood():
    assert (TREE / "mood.txt").read_text() == "good\\n"
'''


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "app"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "app", **{"tests/test_app.py": SUITE,
                           "env.yaml": "targets:\n  main:\n    drivers: {}\n",
                           "pytest.ini": "[pytest]\nmarkers =\n    boot: b\n",
                           "build.sh": "test -e broken && exit 1\ntrue\n",
                           "answer.txt": "42\n", "mood.txt": "good\n"})
    return repo


def ci(repo, tmp_path, capsys, monkeypatch, rev="HEAD"):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["ci", rev, "--suite", "boot", "--suite", "conformance",
                     "--place", "left", "--place", "right", "--env", str(repo / "env.yaml"),
                     "--repo", str(repo), "--build", "sh build.sh",
                     "--db", str(tmp_path / "r.db"), "--out", "ci"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_farm_ci_over_a_history_of_commits(repo, tmp_path, capsys, monkeypatch):
    code, out = ci(repo, tmp_path, capsys, monkeypatch)
    assert code == 0, out
    assert "left: suite 'conformance' has no tests here" in out
    table = out[out.index("SUITE"):].splitlines()
    assert table[:3] == ["SUITE        left      right", "boot         pass 2/2  pass 2/2",
                         "conformance  -         -"]
    assert "0 regression(s)" in out

    commit(repo, "mood swings", **{"mood.txt": "bad\n"})
    code, out = ci(repo, tmp_path, capsys, monkeypatch)
    assert code == 1, out
    assert "boot         FAIL 1/2  FAIL 1/2" in out
    assert "regressions (passed on the last commit that ran the suite, fail now):" in out
    before = git(repo, "rev-parse", "--short", "HEAD~1")
    assert f"boot on env: test_app::test_mood (passed on {before}): AssertionError" in out

    commit(repo, "mood back, answer off", **{"mood.txt": "good\n", "answer.txt": "41\n"})
    assert ci(repo, tmp_path, capsys, monkeypatch)[0] == 1

    commit(repo, "mood swings again", **{"mood.txt": "bad\n"})
    code, out = ci(repo, tmp_path, capsys, monkeypatch)
    assert code == 0, out  # the answer failed before too; the mood is known flaky now
    assert "known flaky, failing now (not counted):" in out
    assert "test_mood (4/6 passed before)" in out, out
    assert "failing, not a regression" in out and "test_answer:" in out

    commit(repo, "break the build", broken="x\n")
    code, out = ci(repo, tmp_path, capsys, monkeypatch)
    assert code == 1 and "does not build" in out
    with ResultsDB(tmp_path / "r.db") as db:
        campaigns = db.campaigns()
        runs = db.runs()
    assert [c["suite"] for c in campaigns] == ["boot", "conformance"] * 4
    assert len(runs) == 8 and {r["place"] for r in runs} == {"left", "right"}
    assert len({r["commit"] for r in runs}) == 4
    assert all(r["commit_time"] is not None for r in runs)
    assert git(repo, "worktree", "list").count("\n") == 0


SLOW = '''
import pytest


@pytest.mark.boot
@pytest.mark.slow
def test_soak():
    assert False, "a per-commit run here leaves the slow tests out"
'''


def test_farm_ci_runs_what_make_test_runs_on_each_place(repo, tmp_path, capsys, monkeypatch):
    """The places' environments say what their per-commit run leaves out; farm ci leaves
    it out as make test's run does: here `right` leaves the slow tests out, `left` not."""
    commit(repo, "a slow test, and places that differ on it", **{
        "tests/test_slow.py": SLOW,
        "pytest.ini": "[pytest]\nmarkers =\n    boot: b\n    slow: s\n",
        "right.yaml": "targets:\n  main:\n    options:\n      keel_per_commit:\n"
                      "        not_marked: [slow]\n    drivers: {}\n"})
    monkeypatch.chdir(tmp_path)
    code = cli.main(["ci", "--suite", "boot", "--place", "left", "--env", str(repo / "env.yaml"),
                     "--repo", str(repo), "--build", "sh build.sh",
                     "--db", str(tmp_path / "r.db"), "--out", "ci"])
    out = capsys.readouterr().out
    assert code == 0 and "boot   FAIL 2/3" in out, out  # no history: failing, not counted
    code = cli.main(["ci", "--suite", "boot", "--place", "right",
                     "--env", str(repo / "right.yaml"), "--repo", str(repo),
                     "--build", "sh build.sh", "--db", str(tmp_path / "r.db"), "--out", "ci"])
    out = capsys.readouterr().out
    assert code == 0 and "boot   pass 2/2" in out, out


# -- farm boards: failures are triaged before they count -----------------------------------

BOARD_ENV = "targets:\n  main:\n    resources:\n      RemotePlace:\n        name: x\n"


@pytest.fixture
def boards(repo, monkeypatch):
    """Two vboards on a fake coordinator; campaigns that do not boot anything but store
    what `fails` says: place -> test failing there, for the suite runs ('ci') and for
    triage's reruns ('rerun').  `seen` has each campaign's places, pytest arguments and
    the places held while it ran."""
    from farmfakes import ME, FakeCoordinator

    from keelfarm.cli import common
    from keelfarm.results import campaign as camp
    from keelfarm.results.resultsdb import ResultRecord, RunRecord

    commit(repo, "a board environment", **{"board.yaml": BOARD_ENV})
    coord = FakeCoordinator()
    for name in ("vboard-1", "vboard-2"):
        coord.add(name, board="vboard", health="ok")
    monkeypatch.setattr(common.Coordinator, "connect", staticmethod(lambda _addr=None: coord))

    def resolve(name, env=None, coordinator=None):
        if name.startswith("vboard"):
            return camp.PlaceSpec(name, "vboard", str(repo / "board.yaml"), {"LG_PLACE": name})
        return camp.PlaceSpec(name, name, str(repo / "env.yaml"))
    monkeypatch.setattr(camp, "resolve_place", resolve)
    fails = {"ci": {}, "rerun": {}}
    seen = []

    def fake_run_campaign(db, campaign_id, config, say, **_):
        kind = "rerun" if "-k" in config.pytest_args else "ci"
        seen.append((kind, sorted(s.place for s in config.specs), config.pytest_args,
                     sorted(p.name for p in coord.places().values() if p.acquired == ME)))
        for seq, spec in enumerate(config.specs, 1):
            assert spec.env.startswith(str(config.cwd)), "not the commit's worktree"
            bad = fails[kind].get(spec.place)
            results = [ResultRecord(f"test_app::{t}", "failed" if t == bad else "passed",
                                    message="AssertionError" if t == bad else None)
                       for t in ("test_answer", "test_mood")]
            db.add_run(RunRecord(commit=config.commit, commit_time=config.commit_time,
                                 target=spec.target, place=spec.place, env=spec.env,
                                 started=dt.datetime.now(), duration=1.0,
                                 verdict="fail" if bad else "pass", results=results,
                                 campaign_id=campaign_id, seq=seq))
        return camp.DONE
    monkeypatch.setattr(camp, "run_campaign", fake_run_campaign)
    return coord, fails, seen


def ci_on_boards(repo, tmp_path, capsys, *extra):
    code = cli.main(["ci", "--suite", "boot", "--place", "qemu-virt", "--board", "vboard",
                     "--repo", str(repo), "--build", "sh build.sh",
                     "--db", str(tmp_path / "r.db"), "--out", "ci", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("qemu_rerun, triage, code, kind", [
    (None, True, 0, "not the OS"),  # fails again on vboard-1 alone: its fault
    ("test_mood", True, 1, "regression"),  # QEMU fails it too: the OS's
    (None, False, 1, "regression"),  # nobody asked the board
])
def test_farm_ci_counts_a_board_failure_only_if_triage_does_not_blame_the_board(
        repo, boards, tmp_path, capsys, monkeypatch, qemu_rerun, triage, code, kind):
    coord, fails, seen = boards
    monkeypatch.chdir(tmp_path)
    assert ci_on_boards(repo, tmp_path, capsys)[0] == 0  # all pass: nothing to triage
    assert [s[0] for s in seen] == ["ci"]
    commit(repo, "a change", **{"NOTE": "n\n"})
    fails["ci"] = {"vboard-1": "test_mood"}
    fails["rerun"] = {"vboard-1": "test_mood", "qemu-virt": qemu_rerun}
    got, out = ci_on_boards(repo, tmp_path, capsys, "--pytest-args",
                            "--deselect tests/test_app.py::test_x",
                            *([] if triage else ["--no-triage"]))
    assert got == code, out
    table = out[out.index("SUITE"):].splitlines()
    assert table[:2] == ["SUITE  qemu-virt  vboard-1  vboard-2",
                         "boot   pass 2/2   FAIL 1/2  pass 2/2"]
    line = next(x for x in out.splitlines() if "boot on vboard: test_app::test_mood" in x)
    with ResultsDB(tmp_path / "r.db") as db:
        triages = db.triages()
    if not triage:
        assert "(passed on" in line and len(seen) == 2 and triages == []
        return
    # the suite ran with both boards held; triage after they were given back, on
    # vboard-1, QEMU and the sibling, for the failed test alone
    assert seen[1] == ("ci", ["qemu-virt", "vboard-1", "vboard-2"],
                       ["--keel-per-commit", "--deselect", "tests/test_app.py::test_x"],
                       ["vboard-1", "vboard-2"])
    assert seen[2] == ("rerun", ["qemu-virt", "vboard-1", "vboard-2"], ["-k", "test_mood"],
                       ["vboard-1", "vboard-2"])
    assert all(p.acquired is None for p in coord.places().values())
    assert [(t["place"], t["sibling"]) for t in triages] == [("vboard-1", "vboard-2")]
    said = triages[0]["verdict"]
    assert said == ("board fault" if kind == "not the OS" else "os regression")
    assert f"  boot on vboard-1 (run {triages[0]['run_id']}): {said} (" in out
    if kind == "not the OS":
        assert "not the OS: triage blames the board or chance (not counted):" in out
        assert line == "  boot on vboard: test_app::test_mood (vboard-1: board fault): " \
                       "AssertionError"
        assert "0 regression(s)" in out
    else:
        assert "(passed on" in line and "1 regression(s)" in out


def test_a_failure_on_several_boards_is_the_os_unless_triage_clears_each():
    v = cv.Verdict("c2", ["vboard-1", "vboard-2"], ["boot"])
    for place in v.places:
        v.cells[("boot", place)] = cv.Cell("fail", 0, 1)
    v.findings = [cv.Finding(cv.REGRESSION, "boot", "vboard", "t", "x", before="c1",
                             places=("vboard-1", "vboard-2"))]
    v.apply_triage("boot", "vboard-1", "board fault")
    assert v.regressions  # vboard-2 has not been triaged
    v.apply_triage("boot", "vboard-2", "unknown")
    assert v.regressions  # and triage could not tell there
    v.cells[("boot", "vboard-2")].triage = ""
    v.apply_triage("boot", "vboard-2", "flaky")
    assert not v.regressions
    assert v.findings[0].triaged == "vboard-1: board fault, vboard-2: flaky"


def test_farm_ci_stopped_by_ctrl_c_runs_no_more_suites_and_triages_nothing(
        repo, boards, tmp_path, capsys, monkeypatch):
    from keelfarm.results import campaign as camp
    coord, fails, seen = boards
    monkeypatch.chdir(tmp_path)
    fails["ci"] = {"vboard-1": "test_mood"}
    stopped = camp.run_campaign

    def stop_after_one(*args, **kw):
        stopped(*args, **kw)
        return camp.INTERRUPTED
    monkeypatch.setattr(camp, "run_campaign", stop_after_one)
    code, out = ci_on_boards(repo, tmp_path, capsys, "--suite", "conformance")
    assert code == 130, out
    assert [s[0] for s in seen] == ["ci"]  # boot ran; conformance and triage did not
    assert "ci: stopped in suite 'boot'; the suites after it did not run" in out
    assert all(p.acquired is None for p in coord.places().values())


def test_farm_ci_without_places_runs_on_qemu_virt_and_every_healthy_kind_of_board(
        repo, boards, tmp_path, capsys, monkeypatch):
    from keelfarm import remote
    coord, fails, seen = boards
    coord.add("unmatched-1", board="unmatched", health="bad")  # no healthy one: left out
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(remote, "probe", lambda address, timeout=None: True)
    code = cli.main(["ci", "--suite", "boot", "--repo", str(repo), "--build", "sh build.sh",
                     "--db", str(tmp_path / "r.db"), "--out", "ci"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert seen[0][1] == ["qemu-virt", "vboard-1", "vboard-2"]
    assert "SUITE  qemu-virt  vboard-1  vboard-2" in out
    # no coordinator: the local places alone, and it says so
    monkeypatch.setattr(remote, "probe", lambda address, timeout=None: False)
    code = cli.main(["ci", "--suite", "boot", "--repo", str(repo), "--build", "sh build.sh",
                     "--db", str(tmp_path / "r.db"), "--out", "ci"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert seen[1][1] == ["qemu-virt"]
    assert "ci: no coordinator at " in out and "; local places only" in out
