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
