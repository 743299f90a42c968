"""Pass rates with Wilson intervals, regressions and failure groups on synthetic rows."""

import datetime as dt

import pytest

from keelfarm.results.stability import (
    PassRate,
    failure_groups,
    pass_rates,
    regressions,
    wilson,
)

DAY = dt.timedelta(days=1)
T0 = dt.datetime(2026, 11, 1)


def rows(commit, day, verdicts, *, test="t::a", target="qemu-virt", time_known=True,
         **extra):
    """One result row per verdict, as ResultsDB.results() returns them."""
    out = []
    for i, verdict in enumerate(verdicts):
        out.append({"test": test, "target": target, "commit": commit, "verdict": verdict,
                    "commit_time": T0 + day * DAY if time_known else None,
                    "started": T0 + day * DAY + dt.timedelta(minutes=i + 1),
                    "signature": None, "signature_group": None, "crash_kind": None,
                    "message": None, "frames": None, "log_path": f"{commit}-{i}.log",
                    **extra})
    return out


@pytest.mark.parametrize("passed, trials, low, high", [
    (0, 0, 0.0, 1.0),
    (10, 10, 0.7225, 1.0),
    (5, 10, 0.2366, 0.7634),
    (0, 10, 0.0, 0.2775),
    (50, 50, 0.9287, 1.0),
    (1, 2, 0.0945, 0.9055),
])
def test_wilson(passed, trials, low, high):
    lo, hi = wilson(passed, trials)
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)


def test_pass_rates_per_test_target_commit():
    data = (rows("bbb", 2, ["passed", "failed", "skipped", "error"])
            + rows("aaa", 1, ["passed"] * 3 + ["xfailed"])
            + rows("aaa", 1, ["failed"], target="qemu-sifive-u")
            + rows("aaa", 1, ["skipped"], test="t::never"))
    rates = pass_rates(data)
    assert [(r.commit, r.target, r.passed, r.trials, r.state) for r in rates] == [
        ("aaa", "qemu-sifive-u", 0, 1, "fails"),
        ("aaa", "qemu-virt", 3, 3, "passes"),
        ("bbb", "qemu-virt", 1, 3, "flaky")]
    assert rates[2].flaky and not rates[1].flaky
    assert rates[2].rate == pytest.approx(1 / 3)


def test_commits_without_a_time_are_ordered_by_their_first_run():
    data = rows("late", 5, ["passed"], time_known=False) + rows("early", 1, ["passed"],
                                                                 time_known=False)
    assert [r.commit for r in pass_rates(data)] == ["early", "late"]


def test_regression_needs_confidence_on_both_sides():
    passing = rows("aaa", 1, ["passed"] * 20)
    assert [r.describe() for r in regressions(pass_rates(passing + rows("bbb", 2,
                                                                       ["failed"] * 10)))] == [
        "t::a on qemu-virt: 20/20 at aaa (95% 0.84-1.00) -> 0/10 at bbb (95% 0.00-0.28)"]
    # 18/20 overlaps 20/20: not confidently worse
    assert regressions(pass_rates(passing + rows("bbb", 2, ["passed"] * 18 + ["failed"] * 2)))\
        == []
    # 3/3 before is no confident pass (lower bound 0.44)
    assert regressions(pass_rates(rows("aaa", 1, ["passed"] * 3)
                                  + rows("bbb", 2, ["failed"] * 10))) == []
    # one failure after a confident pass is no confident failure; four are
    assert regressions(pass_rates(passing + rows("bbb", 2, ["failed"]))) == []
    assert len(regressions(pass_rates(passing + rows("bbb", 2, ["failed"] * 4)))) == 1
    # newly flaky (12/20) is flaky, not a regression
    rates = pass_rates(passing + rows("bbb", 2, ["passed"] * 12 + ["failed"] * 8))
    assert regressions(rates) == [] and rates[-1].flaky


def test_regression_compares_with_the_previous_commit_that_ran_the_test():
    data = (rows("aaa", 1, ["passed"] * 20) + rows("bbb", 2, ["passed"] * 5, test="t::other")
            + rows("ccc", 3, ["failed"] * 9 + ["passed"])
            + rows("ccc", 3, ["failed"] * 10, target="qemu-sifive-u"))
    found = regressions(pass_rates(data))
    assert [(r.test, r.target, r.before.commit, r.now.commit) for r in found] == [
        ("t::a", "qemu-virt", "aaa", "ccc")]
    # a recovery is not a regression
    assert regressions(pass_rates(rows("aaa", 1, ["failed"] * 20)
                                  + rows("bbb", 2, ["passed"] * 20))) == []


def test_failure_groups_span_commits_and_tests():
    panic = {"signature_group": "KEEL PANIC: x in kmain", "crash_kind": "panic"}
    data = (rows("aaa", 1, ["failed", "passed"], signature="KEEL PANIC: x in kmain (m.c:1)",
                 frames="  #0 kmain (m.c:1)", **panic)
            + rows("bbb", 2, ["failed"], test="t::b", signature="KEEL PANIC: x in kmain (m.c:9)",
                   frames="  #0 kmain (m.c:9)", **panic)
            + rows("aaa", 1, ["error", "failed"], message="assert 3 == 4", test="t::c")
            + rows("bbb", 2, ["failed"], message="assert 7 == 4", test="t::c"))
    groups = failure_groups(data)
    assert [(g.key, g.kind, g.count) for g in groups] == [
        ("FAILED: assert <n> == <n>", "failure", 3),
        ("KEEL PANIC: x in kmain", "panic", 2)]
    crash = groups[1]
    assert (crash.first_commit, crash.last_commit) == ("aaa", "bbb")
    assert crash.tests == {"t::a", "t::b"} and crash.commits == {"aaa", "bbb"}
    assert crash.example == "KEEL PANIC: x in kmain (m.c:9)"
    assert crash.frames == "  #0 kmain (m.c:9)" and crash.log_path == "bbb-0.log"
    assert groups[0].example == "assert 7 == 4" and groups[0].first_commit == "aaa"


def test_pass_rate_state_without_trials():
    assert PassRate("t", "x", "c", T0).state == "no verdict"
    assert not PassRate("t", "x", "c", T0).confident_pass
