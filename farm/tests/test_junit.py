"""Reading pytest's JUnit XML (xunit1, with the Keel plugin's properties) into results."""

import pytest

from keelfarm.results.junit import JunitError, case_id, read_junit

XML = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1"
 skipped="2" tests="5" time="9.1">
<testcase classname="tests.test_boot" name="test_boot[smp4]" time="2.161">
 <properties>
  <property name="console_log" value="build/test-logs/qemu-virt/test_boot-smp4.log"/>
  <property name="stage_opensbi" value="0.010"/>
  <property name="stage_harts_online" value="0.094"/>
  <property name="bench:boot us" value="70407"/>
  <property name="count:processes" value="6876"/>
  <property name="attempts" value="3"/>
  <property name="kernel_build" value="0932f4c-dirty"/>
  <property name="stage_bogus" value="n/a"/>
 </properties>
</testcase>
<testcase classname="tests.test_panic" name="test_boot_twice" time="1.0">
 <properties>
  <property name="console_log" value="a.log"/>
  <property name="stage_banner" value="0.5"/>
  <property name="boot2_console_log" value="a.2.log"/>
  <property name="boot2_stage_banner" value="0.7"/>
  <property name="boot2_crash_signature" value="KEEL PANIC: x in kmain (main.c:3)"/>
  <property name="boot2_crash_group" value="KEEL PANIC: x in kmain"/>
  <property name="boot2_crash_kind" value="panic"/>
 </properties>
 <failure message="KEEL PANIC: x in kmain (main.c:3)&#10;more">full text</failure>
</testcase>
<testcase classname="tests.test_ktest" name="test_ktest[ktap-run]" time="0.0">
 <error message="">

 teardown went wrong
 second line</error>
</testcase>
<testcase classname="tests.test_ktest" name="test_ktest[later]" time="0.0">
 <skipped type="pytest.skip" message="skipped on the target: no board"/>
</testcase>
<testcase classname="tests.test_ktest" name="test_ktest[todo]" time="0.0">
 <skipped type="pytest.xfail" message="TODO on the target"/>
</testcase>
</testsuite></testsuites>
"""


def test_read_junit(tmp_path):
    path = tmp_path / "j.xml"
    path.write_text(XML)
    boot, twice, run, later, todo = read_junit(path)
    assert boot.test == "test_boot::test_boot[smp4]" and boot.verdict == "passed"
    assert boot.duration == 2.161 and boot.message is None
    assert boot.log_path == "build/test-logs/qemu-virt/test_boot-smp4.log"
    assert boot.stages == {"opensbi": 0.01, "harts_online": 0.094}
    assert boot.bench == {"boot us": 70407.0}
    assert boot.tallies == {"processes": 6876.0} and twice.tallies == {}
    assert boot.attempts == 3
    assert boot.kernel_build == "0932f4c-dirty" and twice.kernel_build is None
    assert boot.signature is None
    assert twice.verdict == "failed" and twice.message == "KEEL PANIC: x in kmain (main.c:3)"
    assert twice.stages == {"banner": 0.5} and twice.log_path == "a.log"
    assert twice.signature == "KEEL PANIC: x in kmain (main.c:3)"
    assert twice.signature_group == "KEEL PANIC: x in kmain" and twice.crash_kind == "panic"
    assert run.verdict == "error" and run.message == "teardown went wrong"
    assert later.verdict == "skipped" and later.message == "skipped on the target: no board"
    assert todo.verdict == "xfailed"


def test_test_id():
    assert case_id("tests.test_boot", "test_boot[smp1]") == "test_boot::test_boot[smp1]"
    assert case_id("test_suite", "test_k[a/b]") == "test_suite::test_k[a/b]"
    assert case_id("", "lonely") == "lonely"


@pytest.mark.parametrize("content, match", [
    (None, "No such file"), ("<html/>", "not JUnit XML"), ("<testsuite>", "no element found")])
def test_broken_files(tmp_path, content, match):
    path = tmp_path / "j.xml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(JunitError, match=match):
        read_junit(path)


def _case(verdict: str, *boots: tuple[str, str, bool]) -> str:
    """A <testcase> with one crash per boot: (prefix, signature, expected)."""
    props = "".join(
        f'<property name="{p}crash_signature" value="{sig}"/>'
        f'<property name="{p}crash_group" value="{sig}"/>'
        f'<property name="{p}crash_kind" value="user-fault"/>'
        + (f'<property name="{p}crash_expected" value="yes"/>' if expected else "")
        for p, sig, expected in boots)
    why = '<failure message="kfuzz: no progress for 20 s">x</failure>' \
        if verdict == "failed" else ""
    return (f'<testsuite><testcase classname="tests.test_user" name="t" time="1">'
            f"<properties>{props}</properties>{why}</testcase></testsuite>")


@pytest.mark.parametrize("verdict, boots, signature", [
    # a failed run whose children fault on purpose: its own message is the signature
    ("failed", [("", "USER FAULT: child", True)], None),
    # an unexpected crash on a later boot explains the failure, not the expected one
    ("failed", [("", "USER FAULT: child", True), ("boot2_", "KEEL PANIC: y", False)],
     "KEEL PANIC: y"),
    ("failed", [("", "KEEL PANIC: z", False)], "KEEL PANIC: z"),
    # a pass keeps what it provoked
    ("passed", [("", "USER FAULT: child", True)], "USER FAULT: child"),
])
def test_expected_crash_is_no_failure_signature(tmp_path, verdict, boots, signature):
    path = tmp_path / "j.xml"
    path.write_text(_case(verdict, *boots))
    (result,) = read_junit(path)
    assert result.verdict == verdict
    assert result.signature == signature and result.signature_group == signature
