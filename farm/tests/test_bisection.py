"""Bisection: the stopping rule against the fixed 3/3 baseline on simulated commits, the
search with commits that do not build, git ranges, and `farm bisect` end to end on a
throwaway git repository with a regression that always fails and one that fails 30 % of
the time."""

import os
import random
import textwrap
from pathlib import Path

import pytest
from gitrepo import commit, git

from keelfarm.cli import main as cli
from keelfarm.errors import FarmError
from keelfarm.results import bisection as bis
from keelfarm.results.resultsdb import ResultsDB


class SimulatedCommits:
    """A Probe over commits 0..n-1 whose test fails with `rates[i]` (seeded)."""

    def __init__(self, rates, seed=0, unbuildable=()):
        self.rates = rates
        self.rng = random.Random(seed)
        self.unbuildable = set(unbuildable)
        self.runs = 0

    def build(self, commit):
        return int(commit) not in self.unbuildable

    def run(self, commit):
        self.runs += 1
        return bis.FAIL if self.rng.random() < self.rates[int(commit)] else bis.PASS

    def done(self, commit):
        pass


def commits(n):
    return [str(i) for i in range(n)]


def quiet(_):
    pass


def test_a_regression_that_always_fails_is_called_bad_after_two_failures():
    rule = bis.rule_from_endpoints(bis.Evidence(passed=5), bis.Evidence(failed=5))
    assert rule.judge(bis.Evidence(failed=1)) is None
    assert rule.judge(bis.Evidence(failed=2)) == bis.BAD
    assert rule.judge(bis.Evidence(passed=3)) is None
    assert rule.judge(bis.Evidence(passed=4)) == bis.GOOD
    assert rule.confidence(bis.Evidence(failed=2), bis.BAD) > 0.95


def test_a_flaky_regression_needs_many_passes_to_call_a_commit_good():
    rule = bis.rule_from_endpoints(bis.Evidence(passed=17), bis.Evidence(passed=12, failed=5))
    assert rule.judge(bis.Evidence(passed=21)) is None
    assert rule.judge(bis.Evidence(passed=22)) == bis.GOOD
    # three passes and two failures: the fixed baseline calls it good whatever the
    # flakiness; two failures are more than a 3 %-flaky good commit would show
    assert bis.FixedRule().judge(bis.Evidence(passed=3, failed=2)) == bis.GOOD
    assert rule.judge(bis.Evidence(passed=3, failed=2)) == bis.BAD
    assert rule.judge(bis.Evidence(passed=3, failed=1)) is None


def test_endpoints_that_cannot_be_told_apart_stop_the_bisection():
    with pytest.raises(FarmError, match="passed 10 of 10 runs: nothing to bisect"):
        bis.rule_from_endpoints(bis.Evidence(passed=10), bis.Evidence(passed=10))
    with pytest.raises(FarmError, match="too close to tell apart"):
        bis.rule_from_endpoints(bis.Evidence(passed=7, failed=3),
                                bis.Evidence(passed=5, failed=5))
    # a flaky good commit makes both endpoints run more before giving up
    probe = SimulatedCommits([0.3, 0.3, 0.3])
    with pytest.raises(FarmError, match="too close to tell apart"):
        bis.bisect(commits(3), probe, max_runs=24, say=quiet)
    assert probe.runs == 48


@pytest.mark.parametrize("flaky_good", [0.0, 0.02])
def test_the_sequential_rule_beats_the_fixed_baseline_on_a_30_percent_regression(flaky_good):
    """300 bisections of 33 commits, the regression at a random place, failing 30 % of
    the time (on top of the test's own flakiness): the sequential rule names the right
    commit far more often than the first-to-three rule, and its stated confidence is
    not far above how often it is right."""
    rng = random.Random(1)
    right = {"sequential": 0, "fixed": 0}
    stated = []
    for trial in range(300):
        first_bad = rng.randrange(1, 33)
        rates = [flaky_good if i < first_bad else flaky_good + 0.3 for i in range(33)]
        for name, rule in (("sequential", None), ("fixed", bis.FixedRule())):
            probe = SimulatedCommits(rates, seed=trial)
            found = bis.bisect(commits(33), probe, rule=rule, say=quiet)
            right[name] += found.first_bad == str(first_bad)
            if rule is None:
                stated.append(found.confidence)
    assert right["sequential"] >= 0.8 * 300, right
    assert right["fixed"] <= 0.4 * 300, right
    mean_stated = sum(stated) / len(stated)
    assert mean_stated - right["sequential"] / 300 < 0.1, (mean_stated, right)


def test_an_always_failing_regression_is_found_with_few_runs():
    rates = [0.0] * 20 + [1.0] * 12
    probe = SimulatedCommits(rates)
    found = bis.bisect(commits(32), probe, say=quiet)
    assert found.first_bad == "20" and found.candidates == ["20"]
    assert found.confidence > 0.8
    assert probe.runs <= 10 + 4 * 5  # endpoints, then two to four runs for each of 5 steps


def test_commits_that_do_not_build_are_skipped_and_may_widen_the_answer():
    rates = [0.0] * 10 + [1.0] * 6
    found = bis.bisect(commits(16), SimulatedCommits(rates, unbuildable={7}), say=quiet)
    assert found.first_bad == "10" and found.candidates == ["10"]
    assert [s.commit for s in found.steps if s.verdict == bis.SKIP] == ["7"]
    found = bis.bisect(commits(16), SimulatedCommits(rates, unbuildable={9}), say=quiet)
    assert found.first_bad == "10" and found.candidates == ["9", "10"]


def test_a_bad_endpoint_that_never_fails_is_an_error():
    with pytest.raises(FarmError, match="nothing to bisect"):
        bis.bisect(commits(8), SimulatedCommits([0.0] * 8), max_runs=6, say=quiet)


# -- git ----------------------------------------------------------------------------

APP_TEST = '''
import os
import pathlib
import random

import pytest

TREE = pathlib.Path(__file__).resolve().parent.parent


def draw():
    """The next number of one deterministic sequence shared by every run."""
    counter = pathlib.Path(os.environ["BISECT_TEST_COUNTER"])
    n = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(n + 1))
    return random.Random(n).random()


@pytest.mark.boot
def test_answer():
    assert (TREE / "built.txt").read_text() == "built\\n"
    assert (TREE / "answer.txt").read_text() == "42\\n"


@pytest.mark.boot
def test_sometimes():
    assert draw() >= float((TREE / "fail_rate.txt").read_text())
'''


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A repository whose commit 3 makes test_sometimes fail 30 % of the time, commit 5
    does not build, and commit 8 makes test_answer fail always."""
    repo = tmp_path_factory.mktemp("app")
    git(repo, "init", "-q", "-b", "main")
    c = [commit(repo, "app: first version", **{
        "tests/test_app.py": textwrap.dedent(APP_TEST),
        "build.sh": "test -e broken && exit 1\necho built > built.txt\n",
        "env.yaml": "targets:\n  main:\n    drivers: {}\n",
        "pytest.ini": "[pytest]\nmarkers =\n    boot: b\n",
        ".gitignore": "built.txt\n", "answer.txt": "42\n", "fail_rate.txt": "0\n"})]
    c.append(commit(repo, "docs: a readme", **{"README": "app\n"}))
    c.append(commit(repo, "docs: more readme", **{"README": "app app\n"}))
    c.append(commit(repo, "app: make it sometimes fail", **{"fail_rate.txt": "0.3\n"}))
    c.append(commit(repo, "docs: readme again", **{"README": "app app app\n"}))
    c.append(commit(repo, "build: break it", **{"broken": "x\n"}))
    c.append(commit(repo, "build: mend it", **{"broken": None}))
    c.append(commit(repo, "docs: a note", **{"NOTE": "n\n"}))
    c.append(commit(repo, "app: change the answer", **{"answer.txt": "41\n"}))
    c.append(commit(repo, "docs: another note", **{"NOTE": "nn\n"}))
    c.append(commit(repo, "docs: last note", **{"NOTE": "nnn\n"}))
    return repo, c


def bisect_cli(history, tmp_path, capsys, monkeypatch, *extra):
    repo, c = history
    monkeypatch.setenv("BISECT_TEST_COUNTER", str(tmp_path / "counter"))
    monkeypatch.chdir(tmp_path)
    code = cli.main(["bisect", "--good", c[0], "--bad", "main", "--suite", "boot",
                     "--place", "app", "--env", str(repo / "env.yaml"), "--repo", str(repo),
                     "--build", "sh build.sh", "--db", str(tmp_path / "r.db"),
                     "--out", "bisect", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_farm_bisect_finds_a_regression_that_always_fails(history, tmp_path, capsys,
                                                           monkeypatch):
    repo, c = history
    code, out = bisect_cli(history, tmp_path, capsys, monkeypatch, "--test", "test_answer")
    print(out)
    assert code == 0, out
    assert f"first bad commit: {c[8][:7]} app: change the answer (confidence" in out
    assert f"{c[5][:12]}  candidate skip" in out  # it did not build
    with ResultsDB(tmp_path / "r.db") as db:
        (b,) = db.bisections()
        steps = db.bisect_steps(b["id"])
        runs = db.runs(b["campaign_id"])
    assert (b["status"], b["first_bad"], b["good"]) == ("done", c[8][:12], c[0][:12])
    assert b["confidence"] > 0.8
    assert {s["commit"]: s["verdict"] for s in steps}[c[5][:12]] == "skip"
    assert sum(s["passed"] + s["failed"] for s in steps) == len(runs)
    assert {r["commit"] for r in runs} <= {x[:12] for x in c}
    assert not list((tmp_path / "bisect" / "1" / "trees").glob("*/")), "worktrees left"
    assert git(repo, "worktree", "list").count("\n") == 0


def test_farm_bisect_finds_a_regression_that_fails_30_percent_of_the_time(
        history, tmp_path, capsys, monkeypatch):
    repo, c = history
    # 80 % for the answer (each of the four steps at 94.6 %) keeps the test near 60 runs
    code, out = bisect_cli(history, tmp_path, capsys, monkeypatch, "--test", "test_sometimes",
                           "--confidence", "0.8")
    print(out)
    assert code == 0, out
    assert f"first bad commit: {c[3][:7]} app: make it sometimes fail (confidence" in out
    with ResultsDB(tmp_path / "r.db") as db:
        (b,) = db.bisections()
        runs = db.runs(b["campaign_id"])
    assert b["first_bad"] == c[3][:12]
    assert {r["verdict"] for r in runs if r["commit"] == c[-1][:12]} == {"pass", "fail"}
    assert len(runs) == int((tmp_path / "counter").read_text())  # every run was stored


def test_farm_bisect_says_when_good_is_not_an_ancestor_of_bad(history, tmp_path, capsys,
                                                              monkeypatch):
    repo, c = history
    monkeypatch.chdir(tmp_path)
    code = cli.main(["bisect", "--good", c[5], "--bad", c[2], "--suite", "boot",
                     "--place", "app", "--repo", str(repo), "--db", str(tmp_path / "r.db")])
    err = capsys.readouterr().err
    assert code == 1
    assert f"the good commit {c[5]} ({c[5][:12]}) is not an ancestor of the bad commit" in err
    code = cli.main(["bisect", "--good", "nope", "--bad", c[2], "--suite", "boot",
                     "--place", "app", "--repo", str(repo), "--db", str(tmp_path / "r.db")])
    assert code == 1 and "nope is not a commit" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "r.db")  # nothing recorded for a bad range


def test_commit_range_follows_the_first_parent_line(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    a = commit(repo, "a", f="1")
    b = commit(repo, "b", f="2")
    assert bis.commit_range(repo, a, b) == [a, b]
    with pytest.raises(FarmError, match="same commit"):
        bis.commit_range(repo, b, "main")
    assert Path(repo / "f").read_text() == "2"
