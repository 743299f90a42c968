"""keelfarm.mkshcheck over a small made-up check.t: the format's fields, the skips,
the judging, the typed lines and the framed results."""

from __future__ import annotations

import pytest

from keelfarm import mkshcheck as mc

SAMPLE = """\
# a comment between tests
name: plain
description:
	two lines
	of description
stdin:
	echo hi
	false
expected-stdout:
	hi
expected-exit: 1
---
name: chopped-and-args
arguments: !-x!-f!
env-setup: !FOO=bar!HOME!LANG=@utflocale@!
stdin: !
	print -n *
expected-stdout: !
	*
expected-stderr-pattern:
	/^\\+ print/
time-limit: 3
need-ctty: yes
---
name: files
file-setup: file 644 "a b"
	line one
file-setup: !file 600 "nonl"
	no newline
file-setup: dir 755 "sub"
file-setup: symlink 644 "sub/link"
	target
expected-stdout: same line
expected-exit: e != 0 && e < 3
category: !os:keel,int:32
need-pass: no
---
name: perl
perl-setup: chmod(0555, "foo");
stdin:
	fc -l
---
"""


@pytest.fixture
def tests():
    return mc.parse(SAMPLE, "sample.t")


def test_each_test_is_read_with_its_line_number(tests):
    assert [(t.name, t.lineno) for t in tests] == [
        ("plain", 2), ("chopped-and-args", 13), ("files", 25), ("perl", 38)]


def test_multi_line_values_keep_their_newlines_and_bang_chops_the_last(tests):
    plain, chopped = tests[0], tests[1]
    assert plain.get("description") == "two lines\nof description\n"
    assert plain.get("stdin") == "echo hi\nfalse\n"
    assert chopped.get("stdin") == "print -n *"
    assert chopped.get("expected-stdout") == "*"


def test_a_one_line_value_of_a_multi_line_field_gains_a_newline(tests):
    assert tests[2].get("expected-stdout") == "same line\n"
    assert tests[2].get("expected-exit") == "e != 0 && e < 3"


def test_arguments_and_env_setup_split_on_their_first_character(tests):
    t = tests[1]
    assert t.arguments == ["-x", "-f"]
    assert t.env_changes == [("FOO", "bar"), ("HOME", None), ("LANG", mc.UTF8_LOCALE)]
    assert t.need_ctty and t.need_pass and t.time_limit == 3


def test_file_setup_gives_kind_mode_name_and_data(tests):
    files = tests[2].files
    assert [(f.kind, f.mode, f.name, f.data) for f in files] == [
        ("file", 0o644, "a b", "line one\n"), ("file", 0o600, "nonl", "no newline"),
        ("dir", 0o755, "sub", ""), ("symlink", 0o644, "sub/link", "target\n")]
    assert not tests[2].need_pass


@pytest.mark.parametrize("text, message", [
    ("name: x\nbogus: 1\n---\n", "unrecognised field"),
    ("name: x\nname: y\n---\n", "multiple"),
    ("description: x\n---\n", "required field 'name'"),
    ("name: x\narguments: !-i\n---\n", "start and end"),
    ("name: x\nexpected-exit: 300\n---\n", "not in 0..255"),
    ("name: x\nfile-setup: file 644 \"/abs\"\n---\n", "absolute"),
    ("name: x\nexpected-stdout: a\nexpected-stdout-pattern: /a/\n---\n", "both"),
    ("name: x\nstdin:\n\techo\n", "end of file"),
])
def test_what_the_harness_refuses_is_refused(text, message):
    with pytest.raises(mc.CheckFormatError, match=message):
        mc.parse(text)


def test_categories_come_from_the_builds_test_sh():
    sh = "#!/bin/mksh\nset -A check_categories --  shell:legacy-no int:32 a,b\n"
    assert mc.categories_from_test_sh(sh) == {"shell:legacy-no", "int:32", "a", "b"}


def test_skips_follow_categories_ctty_and_perl(tests):
    cats = {"os:keel", "int:32"}
    assert mc.skip_reason(tests[0], cats) is None
    assert mc.skip_reason(tests[1], cats) is None
    assert "controlling terminal" in mc.skip_reason(tests[1], cats, has_ctty=False)
    assert "the shell is os:keel" in mc.skip_reason(tests[2], cats)
    assert mc.skip_reason(tests[2], {"int:32"}) is None
    # as in the harness, a negated category that does not hold admits the test
    assert mc.skip_reason(tests[2], {"int:64"}) is None
    only = mc.parse("name: x\ncategory: int:64,os:mirbsd\n---\n")[0]
    assert "none of these" in mc.skip_reason(only, cats)
    assert mc.skip_reason(only, {"os:mirbsd"}) is None
    assert "needs perl" in mc.skip_reason(tests[3], cats)


@pytest.mark.parametrize("expr, status, ok", [
    (None, 0, True), (None, 1 << 8, False), ("1", 1 << 8, True), ("1", 9, False),
    ("e != 0", 2 << 8, True), ("e != 0", 0, False), ("e != 0 && e < 3", 3 << 8, False),
    ("e == 0 || s == 9", 9, True), ("!(e == 0)", 0, False), ("w == 256", 256, True),
])
def test_expected_exit_numbers_and_expressions(expr, status, ok):
    assert mc.exit_ok(expr, status) is ok


def test_patterns_match_and_negate():
    assert mc.pattern_matches("/fooBar.*not found.*\\n.*barFoo/\n", "x fooBar: not found\nbarFoo")
    assert not mc.pattern_matches("!/not set/", "x: not set\n")
    assert mc.pattern_matches("/^X*$/", "XXX\n")
    with pytest.raises(ValueError):
        mc.pattern_matches("$_ eq 'x'", "x")


def test_judge_reports_each_difference(tests):
    plain = tests[0]
    assert mc.judge(plain, mc.Outcome(1 << 8, False, "hi\n", "")) == []
    why = mc.judge(plain, mc.Outcome(0, True, "ho\n", "oops\n"), watchdog=20)
    assert why[0].startswith("no time-limit of its own")
    assert "unexpected exit status 0 (exit-code 0), expected 1" in why[1]
    assert "first difference: line 1, char 2" in why[2]
    assert why[3].startswith("unexpected stderr - got too much output")


def test_a_failure_from_a_missing_utility_is_told_apart(tests):
    out = mc.Outcome(1 << 8, False, "", "mksh: cat: inaccessible or not found\n")
    result = mc.classify(tests[0], out, 20)
    assert result.verdict == "unavailable" and "cat" in result.reasons[0]
    other = mc.classify(tests[0], mc.Outcome(1 << 8, False, "", "fooBar: not found\n"), 20)
    assert other.verdict == "fail"
    by_path = mc.Outcome(1 << 8, False, "", "X/bin/mksh: /bin/ed: inaccessible or not found\n")
    assert mc.classify(tests[0], by_path, 20).reasons[0].startswith("needs ed")


def test_typed_lines_are_printable_and_carry_every_byte():
    data = "it's a\\b\n\x00\xe4\x7f end"
    lines = mc.write_file_lines("/tmp/f", data)
    assert all(set(line) <= mc.SAFE | {"'", "\\"} for line in lines)
    assert lines == ["print -n -- 'it\\0047s a\\0134b\\0012\\0000\\0344\\0177 end' >/tmp/f"]
    long = mc.write_file_lines("/tmp/g", "x" * (mc.LINE_BYTES + 5))
    assert [line.split("' ")[-1] for line in long] == [">/tmp/g", ">>/tmp/g"]


def test_the_run_line_has_the_harness_environment_and_arguments(tests):
    words = mc.run_lines(tests[1], "T7")[-1]
    assert words.startswith(f"{mc.HELPER} run T7 {mc.BASE}/rtd 3 {mc.BASE}/rti ")
    assert "'FOO=bar'" in words and '"HOME=$HOME"' not in words and '"PATH=$PATH"' in words
    assert words.endswith("-- '/bin/mksh' '-x' '-f'")
    assert "/dev/null" in mc.run_lines(tests[2], "T8")[-1]


def test_names_with_other_bytes_go_through_a_variable():
    t = mc.parse('name: u\nfile-setup: file 644 "a\xc3\x84c"\n\tx\n---\n')[0]
    lines = mc.setup_lines(t)
    assert "mc_v0=$(print -n -- '/tmp/mc/rtd/a\\0303\\0204c.')" in lines
    assert "print -n -- 'x\\0012' >\"${mc_v0%.}\"" in lines


def framed(tag, status, timed_out, out, err, olen=None):
    lines = [f"=MC:BEGIN:{tag}=", f"=MC:STATUS:{status}:{timed_out}="]
    lines += [f"=MC:O:{out[i:i + 4].hex()}=" for i in range(0, len(out), 4)]
    lines += [f"=MC:E:{err.hex()}="] if err else []
    lines.append(f"=MC:END:{tag}:{len(out) if olen is None else olen}:{len(err)}=")
    return "\r\n".join(lines) + "\r\n"


def test_a_framed_result_is_read_back_exactly():
    text = "echo noise\r\n" + framed("T1", 256, 0, b"a\r\nb\x00\xff", b"err\n")
    out = mc.parse_result(text, "T1")
    assert out == mc.Outcome(256, False, "a\r\nb\x00\xff", "err\n")


def test_a_result_that_lost_bytes_is_refused():
    with pytest.raises(mc.ResultError, match="arrived"):
        mc.parse_result(framed("T2", 0, 0, b"abcdef", b"", olen=7), "T2")
    with pytest.raises(mc.ResultError, match="no framed result"):
        mc.parse_result(framed("T3", 0, 0, b"", b""), "T4")


def test_the_summary_counts_as_the_harness_does(tests):
    def run_one(test, tag):
        return mc.Outcome(1 << 8, False, "hi\n", "") if test.name == "plain" else \
            mc.Outcome(0, False, "", "")
    summary = mc.run_suite(tests, {"os:keel"}, run_one)
    assert [r.verdict for r in summary.results] == ["pass", "fail", "skip", "skip"]
    assert (summary.passed, summary.applicable, summary.rate) == (1, 2, 50.0)
    assert summary.lines()[0].startswith("mksh check.t: 4 tests: 1 passed, 1 failed, "
                                         "2 skipped")
