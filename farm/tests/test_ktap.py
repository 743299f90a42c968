"""KTAP parser: well-formed runs, nesting, and every way a run can be malformed or cut."""

import pytest

from keelfarm.ktap import KtapParser, Status, parse


def cases(run):
    return {c.id: c for c in run.all_cases()}


def statuses(run):
    return [(c.id, c.status) for c in run.all_cases()]


def problems(run):
    return [p.message for p in run.problems]


# The kernel's own output, with firmware lines before and log lines in between.
KERNEL_RUN = """\
OpenSBI v1.1
Keel 0.1.0 (41b957c) on riscv-virtio: 4 harts [0,1,2,3], 512 MiB, timebase 10000000 Hz
keel: all harts online
KTAP version 1
1..3
ok 1 kernel_map_w_xor_x
ktest: line-atomic hart 1 line 0 0123456789
# os/kernel/core/ktest_boot.c:147: failed: e->event == TR_TEST (0x4 vs 0x8)
not ok 2 trace_ring_keeps_newest_in_order
ok 3 harts_all_online
keel: ktest done: 2 passed, 1 failed
"""


def test_kernel_run():
    run = parse(KERNEL_RUN)
    assert run.version == 1 and run.plan == 3
    assert statuses(run) == [("kernel_map_w_xor_x", Status.PASS),
                             ("trace_ring_keeps_newest_in_order", Status.FAIL),
                             ("harts_all_online", Status.PASS)]
    assert run.problems == []
    assert not run.ok
    failed = cases(run)["trace_ring_keeps_newest_in_order"]
    assert failed.number == 2
    assert failed.lineno == 9 and failed.first_lineno == 7
    assert failed.diagnostics == [
        "os/kernel/core/ktest_boot.c:147: failed: e->event == TR_TEST (0x4 vs 0x8)"]


def test_all_pass_is_ok():
    run = parse(["KTAP version 1", "1..2", "ok 1 a", "ok 2 b"])
    assert run.ok and run.problems == []
    assert run.last_ktap == (4, "ok 2 b")


def test_directives_and_tap_dash():
    run = parse("KTAP version 1\n1..4\nok 1 - dashed\nok 2 skipped # SKIP no timer\n"
                "not ok 3 later # TODO not written\nok 4 hash # just a comment\n")
    c = cases(run)
    assert c["dashed"].status == Status.PASS
    assert (c["skipped"].status, c["skipped"].reason) == (Status.SKIP, "no timer")
    assert (c["later"].status, c["later"].reason) == (Status.TODO, "not written")
    assert (c["hash"].status, c["hash"].reason) == (Status.PASS, "just a comment")
    assert run.ok


def test_lowercase_skip_directive_on_not_ok():
    run = parse("KTAP version 1\n1..1\nnot ok 1 x # skip unsupported\n")
    assert cases(run)["x"].status == Status.SKIP
    assert run.ok


NESTED = """\
KTAP version 1
1..2
    KTAP version 1
    # Subtest: chan
    1..2
    ok 1 create
keel: a log line at column 0 does not close the subtest
    # chan_send: expected 0, got -22
    not ok 2 send
not ok 1 chan
ok 2 timer
"""


def test_nested_subtests():
    run = parse(NESTED)
    assert statuses(run) == [("chan/create", Status.PASS), ("chan/send", Status.FAIL),
                             ("chan", Status.FAIL), ("timer", Status.PASS)]
    c = cases(run)
    assert c["chan/send"].diagnostics == ["chan_send: expected 0, got -22"]
    assert c["chan/send"].path == ("chan", "send")
    assert [k.name for k in c["chan"].children] == ["create", "send"]
    assert c["chan"].first_lineno == 3 and c["chan"].lineno == 10
    assert run.problems == []


def test_subtest_announced_only_by_subtest_line():
    run = parse("KTAP version 1\n1..1\n    # Subtest: suite\n    1..1\n    ok 1 case\n"
                "ok 1 suite\n")
    assert statuses(run) == [("suite/case", Status.PASS), ("suite", Status.PASS)]
    assert run.problems == []


def test_two_levels_deep():
    run = parse("KTAP version 1\n1..1\n    KTAP version 1\n    1..1\n        KTAP version 1\n"
                "        1..1\n        ok 1 leaf\n    ok 1 mid\nok 1 top\n")
    assert [c.id for c in run.all_cases()] == ["top/mid/leaf", "top/mid", "top"]
    assert run.ok


def test_result_names_subtest_over_subtest_line():
    run = parse("KTAP version 1\n1..1\n    # Subtest: old\n    1..1\n    ok 1 a\nok 1 new\n")
    assert [c.id for c in run.all_cases()] == ["new/a", "new"]


def test_fewer_results_than_plan():
    run = parse("KTAP version 1\n1..3\nok 1 a\nok 2 b\n", reason="QEMU exited")
    c = cases(run)
    assert c["#3"].status == Status.MISSING
    assert "output stopped after line 4 ('ok 2 b')" in c["#3"].reason
    assert "QEMU exited" in c["#3"].reason
    assert any("1 of 3 planned results missing" in p for p in problems(run))
    assert not run.ok


def test_subtest_plan_mismatch_fails_parent():
    run = parse("KTAP version 1\n1..1\n    KTAP version 1\n    1..3\n    ok 1 a\n"
                "    ok 2 b\nok 1 suite\n")
    c = cases(run)
    assert c["suite/#3"].status == Status.MISSING
    assert "plan 1..3 but 2 results" in c["suite/#3"].reason
    assert c["suite"].status == Status.PASS and c["suite"].failed
    assert any("1 of 3 planned results missing" in str(p) for p in c["suite"].problems)


def test_more_results_than_plan():
    run = parse("KTAP version 1\n1..1\nok 1 a\nok 2 b\n")
    assert problems(run) == ["test number 2 beyond plan 1..1"]
    assert run.problems[0].lineno == 4
    assert not run.ok


def test_duplicate_number():
    run = parse("KTAP version 1\n1..2\nok 1 a\nok 1 a\nok 2 b\n")
    assert problems(run) == ["duplicate test number 1 (first at line 3)"]
    assert run.problems[0].lineno == 4


def test_out_of_order_number():
    run = parse("KTAP version 1\n1..3\nok 1 a\nok 3 c\nok 2 b\n")
    assert problems(run) == ["test number 3 out of order, expected 2",
                             "test number 2 out of order, expected 4"]


def test_skipped_number_is_missing():
    run = parse("KTAP version 1\n1..3\nok 1 a\nok 3 c\n")
    assert "test number 3 out of order, expected 2" in problems(run)
    assert cases(run)["#2"].status == Status.MISSING


def test_result_without_number():
    run = parse("KTAP version 1\n1..1\nok first\n")
    assert "result line without a test number" in problems(run)
    assert cases(run)["first"].number is None


def test_truncated_inside_subtest():
    run = parse("KTAP version 1\n1..2\n    KTAP version 1\n    # Subtest: chan\n    1..3\n"
                "    ok 1 create\n    # about to send\n", reason="QEMU exited with status 0")
    c = cases(run)
    assert c["chan/create"].status == Status.PASS
    for name in ("chan/#2", "chan/#3", "chan", "#2"):
        assert c[name].status == Status.MISSING, name
    assert c["chan/#2"].diagnostics == ["about to send"]
    assert "subtest 'chan' (from line 3) has no result line" in c["chan"].reason
    assert "output stopped after line 6 ('ok 1 create')" in c["chan"].reason
    assert not run.ok


def test_no_ktap_at_all():
    run = parse("OpenSBI v1.1\nkeel: all harts online\n", reason="timed out")
    assert run.cases == [] and run.version is None
    assert problems(run) == ["no KTAP output (no 'KTAP version' line); timed out"]
    assert not run.ok


def test_version_without_plan_or_results():
    run = parse("KTAP version 1\n", reason="QEMU exited")
    assert problems(run) == ["top level has no plan"]


def test_missing_plan():
    run = parse("KTAP version 1\nok 1 a\n")
    assert problems(run) == ["top level has no plan"]


def test_missing_subtest_plan():
    run = parse("KTAP version 1\n1..1\n    KTAP version 1\n    ok 1 a\nok 1 s\n")
    assert problems(run) == ["subtest has no plan"]
    assert cases(run)["s"].failed


def test_trailing_plan_accepted():
    run = parse("KTAP version 1\nok 1 a\nok 2 b\n1..2\n")
    assert run.ok


def test_plan_after_too_many_results():
    run = parse("KTAP version 1\nok 1 a\nok 2 b\n1..1\n")
    assert "plan 1..1 given after 2 results" in problems(run)


def test_second_plan():
    run = parse("KTAP version 1\n1..1\n1..2\nok 1 a\n")
    assert problems(run) == ["second plan 1..2 (first was 1..1 at line 2)"]


def test_second_top_level_version():
    run = parse("KTAP version 1\n1..1\nok 1 a\nKTAP version 1\n")
    assert problems(run) == ["second KTAP version line at the top level"]


def test_bail_out_stops_and_fails_rest():
    run = parse("KTAP version 1\n1..3\nok 1 a\nBail out! hardware gone\nok 2 b\n")
    assert problems(run)[0] == "target bailed out: hardware gone"
    c = cases(run)
    assert "b" not in c
    assert c["#2"].status == Status.MISSING and c["#3"].status == Status.MISSING
    assert "bailed out" in c["#2"].reason


def test_bad_indentation():
    run = parse("KTAP version 1\n1..1\n  ok 1 a\n")
    assert "KTAP line with unexpected indentation: 'ok 1 a'" in problems(run)


def test_subtest_without_parent_result_before_next_subtest():
    run = parse("KTAP version 1\n1..2\n    KTAP version 1\n    # Subtest: one\n    1..1\n"
                "    ok 1 a\n    KTAP version 1\n    # Subtest: two\n    1..1\n    ok 1 b\n"
                "ok 2 two\n")
    c = cases(run)
    assert c["one"].status == Status.MISSING and c["one"].number == 1
    assert c["one/a"].status == Status.PASS
    assert c["two"].status == Status.PASS and c["two"].number == 2
    assert "subtest 'one' (from line 3) has no result line" in problems(run)


def test_deeper_jump_is_reported():
    run = parse("KTAP version 1\n1..1\n        ok 1 deep\nok 1 top\n")
    assert any("deeper than the innermost open test" in p for p in problems(run))


def test_tap_version_and_indented_document():
    run = parse(["  TAP version 14", "  1..1", "  ok 1 a"])
    assert run.version == 14 and run.ok


def test_crlf_and_streaming():
    parser = KtapParser()
    assert not parser.started
    for line in ["noise\r\n", "KTAP version 1\r\n", "1..1\r\n", "ok 1 a\r\n"]:
        parser.feed(line)
    assert parser.started
    run = parser.finish()
    assert run.ok and run.last_lineno == 4
    assert parser.finish() is run
    with pytest.raises(RuntimeError):
        parser.feed("ok 2 b")


def test_empty_name_gets_number():
    run = parse("KTAP version 1\n1..1\nok 1\n")
    assert [c.id for c in run.all_cases()] == ["#1"]
