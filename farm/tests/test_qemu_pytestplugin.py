"""The pytest plugin: KTAP runs turned into per-case results, and the boot fixture, on the
fake QEMU; the last tests run a whole pytest session to see names, verdicts and JUnit."""

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import fake_qemu
import pytest
from labgrid import Environment

from keelfarm import pytestplugin as plugin
from keelfarm.console import KtestSummary
from keelfarm.ktap import parse
from keelfarm.results.signature import Frame


@pytest.fixture
def env(tmp_path):
    environment = Environment(str(fake_qemu.write_env(tmp_path, boot_timeout=3)))
    yield environment
    environment.cleanup()


@pytest.fixture
def qemu_strategy(env):
    return env.get_target("main").get_driver("Strategy")


def results_by_id(record):
    results = plugin.ktap_results(record)
    return dict(zip(plugin.unique_ids(results), results, strict=True))


def verdict(result):
    """('passed'|'failed'|'skipped'|'xfailed', message) of result.check()."""
    try:
        result.check()
    except pytest.fail.Exception as exc:
        return "failed", str(exc)
    except pytest.skip.Exception as exc:
        return "skipped", str(exc)
    except pytest.xfail.Exception as exc:
        return "xfailed", str(exc)
    return "passed", ""


def test_complete_run(qemu_strategy, tmp_path):
    record = plugin.run_ktap(qemu_strategy, log_path=tmp_path / "k.log", timeout=10)
    assert record.exit_status == 0 and record.error == ""
    results = results_by_id(record)
    assert list(results) == ["first", "nested/inner_a", "nested/inner_b", "nested",
                             "skipped_one", "ktap-run"]
    assert verdict(results["first"]) == ("passed", "")
    status, message = verdict(results["nested/inner_b"])
    assert status == "failed"
    assert "KTAP case 'nested/inner_b' not ok (console line" in message
    assert "    # nested.c:12: failed: x == y (0x1 vs 0x2)" in message
    assert "    not ok 2 inner_b" in message  # the console excerpt
    assert verdict(results["nested"])[0] == "failed"
    assert verdict(results["skipped_one"]) == (
        "skipped", "skipped on the target: not on this board")
    assert verdict(results["ktap-run"]) == ("passed", "")
    props = dict(results["first"].properties())
    assert props["console_log"] == str(tmp_path / "k.log") and "ktap_line" in props
    run_props = dict(results["ktap-run"].properties())
    assert "stage_ktest_done" in run_props and "ktap_run_seconds" in run_props
    assert qemu_strategy.status.name == "off"


def test_truncated_run_fails_the_rest(qemu_strategy, tmp_path, monkeypatch):
    fake_qemu.script_console(monkeypatch, tmp_path, "keel: all harts online\nKTAP version 1\n"
                             "1..3\nok 1 a\n# b: starting\n", 1)
    record = plugin.run_ktap(qemu_strategy, timeout=10)
    results = results_by_id(record)
    assert list(results) == ["a", "#2", "#3", "ktap-run"]
    status, message = verdict(results["#2"])
    assert status == "failed"
    assert "case 2 of 3 never reported: output stopped after line 4 ('ok 1 a')" in message
    assert "the target stopped with exit status 1" in message
    assert "    # b: starting" in message
    status, message = verdict(results["ktap-run"])
    assert "no 'keel: ktest done' line" in message and "exit status 1" in message


def test_run_that_never_ends(qemu_strategy, tmp_path, monkeypatch):
    fake_qemu.script_console(monkeypatch, tmp_path, "KTAP version 1\n1..1\n")
    record = plugin.run_ktap(qemu_strategy, timeout=0.5)
    assert record.exit_status is None
    results = results_by_id(record)
    assert "no end within 0 s" in verdict(results["#1"])[1]
    message = verdict(results["ktap-run"])[1]
    assert ("the target did not power off by itself: no end within 0 s; the target was "
            "switched off") in message
    assert qemu_strategy.qemu.status == 0


def test_boot_that_fails_to_start(qemu_strategy, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_FAIL", "qemu: machine type unknown")
    record = plugin.run_ktap(qemu_strategy, label="KTAP run X")
    results = results_by_id(record)
    assert list(results) == ["ktap-run"]
    status, message = verdict(results["ktap-run"])
    assert status == "failed" and "KTAP run X: ExecutionError" in message
    assert "machine type unknown" in message


def test_panic_during_ktest_fails_run(qemu_strategy, tmp_path, monkeypatch):
    fake_qemu.script_console(monkeypatch, tmp_path, "KTAP version 1\n1..1\n"
                             "KEEL PANIC: oops at 0x1234\nkeel: powering off\n", 0)
    message = verdict(results_by_id(plugin.run_ktap(qemu_strategy))["ktap-run"])[1]
    assert "kernel panicked at console line 3: KEEL PANIC: oops at 0x1234" in message


# A runner's console (tests/target/conf-all): two programs as subtests of one run.
RUNNER = """\
keel: all harts online
KTAP version 1
1..3
    # Subtest: prog-a
    KTAP version 1
    1..2
    ok 1 page/one
    # main.c:9: x == y
    not ok 2 page/two
    prog-a: done: 1 passed, 1 failed
# prog-a exited with status 1
not ok 1 prog-a
    # Subtest: prog-b
    KTAP version 1
    1..1
    ok 1 page/three
    prog-b: done: 1 passed, 0 failed
ok 2 prog-b
    # Subtest: prog-c
    KTAP version 1
    1..2
    ok 1 page/four
prog-c[7]: fault: store page fault at pc 0x1000, address 0x0; process killed
# prog-c was killed by signal 11 (Segmentation fault)
not ok 3 prog-c
conf-all: done: 1 passed, 2 failed
keel: powering off
"""


def subtest_results(record, name):
    results = plugin.subtest_results(record, name)
    return dict(zip(plugin.unique_ids(results), results, strict=True))


def test_a_subtest_s_cases_are_named_as_if_it_ran_alone(qemu_strategy, tmp_path,
                                                         monkeypatch):
    fake_qemu.script_console(monkeypatch, tmp_path, RUNNER, 1)
    record = plugin.run_ktap(qemu_strategy, timeout=10)
    a = subtest_results(record, "prog-a")
    assert list(a) == ["page/one", "page/two", "ktap-run"]
    assert verdict(a["page/one"]) == ("passed", "")
    status, message = verdict(a["page/two"])
    assert status == "failed" and "# main.c:9: x == y" in message
    status, message = verdict(a["ktap-run"])
    assert status == "failed" and "prog-a not ok: prog-a exited with status 1" in message
    b = subtest_results(record, "prog-b")
    assert list(b) == ["page/three", "ktap-run"]
    assert verdict(b["ktap-run"]) == ("passed", "")
    props = dict(b["ktap-run"].properties())
    assert props["ktap_subtest"] == "prog-b" and "ktap_subtest_seconds" in props
    assert "ktap_run_seconds" not in props      # the whole run's test has it


def test_a_subtest_that_crashed_fails_with_the_crash_and_its_missing_cases(
        qemu_strategy, tmp_path, monkeypatch):
    fake_qemu.script_console(monkeypatch, tmp_path, RUNNER, 1)
    record = plugin.run_ktap(qemu_strategy, timeout=10)
    c = subtest_results(record, "prog-c")
    assert list(c) == ["page/four", "#2", "ktap-run"]
    assert verdict(c["#2"])[0] == "failed"
    status, message = verdict(c["ktap-run"])
    assert status == "failed"
    assert "prog-c not ok: prog-c was killed by signal 11" in message
    assert "a program faulted at console line 23" in message
    assert "no 'prog-c: done' line" in message
    # the crash is prog-c's alone: prog-b's part of the same run is clean
    assert verdict(subtest_results(record, "prog-b")["ktap-run"]) == ("passed", "")


def test_a_subtest_s_own_summary_must_match_its_cases(qemu_strategy, tmp_path, monkeypatch):
    console = RUNNER.replace("prog-b: done: 1 passed, 0 failed", "prog-b: done: 2 passed, 0 failed")
    fake_qemu.script_console(monkeypatch, tmp_path, console, 1)
    record = plugin.run_ktap(qemu_strategy, timeout=10)
    message = verdict(subtest_results(record, "prog-b")["ktap-run"])[1]
    assert ("'prog-b: done' says 2 passed, 0 failed; the KTAP results show 1 passed, "
            "0 failed") in message


def test_a_subtest_the_run_never_reached_fails(qemu_strategy, tmp_path, monkeypatch):
    fake_qemu.script_console(monkeypatch, tmp_path, RUNNER.split("    # Subtest: prog-b")[0]
                             + "KEEL PANIC: oops at 0x1234\n", 1)
    record = plugin.run_ktap(qemu_strategy, timeout=10)
    b = subtest_results(record, "prog-b")
    assert list(b) == ["ktap-run"]
    status, message = verdict(b["ktap-run"])
    assert status == "failed" and message.startswith("KEEL PANIC: oops")
    assert "no subtest 'prog-b' in the run" in message


@pytest.mark.parametrize("summary, problems", [((2, 1), 0), ((3, 0), 1), ((1, 1), 1)])
def test_summary_must_match_results(summary, problems):
    run = parse("KTAP version 1\n1..3\nok 1 a\nnot ok 2 b\nok 3 c # SKIP x\n")
    assert len(plugin.summary_mismatch(run, KtestSummary(*summary))) == problems


def test_a_quiet_target_s_harts_are_described_by_where_they_are():
    class Strategy:
        def hart_pcs(self):
            return [(0, 0x80001000), (1, 0xffffffff800007e6), (2, 0xffffffff800007e6),
                    (3, 0xffffffff80002000)]

    class Sym:
        def lookup(self, addresses):
            names = {0xffffffff800007e6: "idle (arch.c:31)"}
            return {a: (Frame(a, *((names[a], None, None) if a in names
                                   else (None, None, None))),) for a in addresses}

    text = plugin.describe_harts(Strategy(), Sym())
    assert text == ("CPU#0 pc 0x80001000 outside the kernel; "
                    "CPU#1,2 pc 0xffffffff800007e6 idle (arch.c:31); "
                    "CPU#3 pc 0xffffffff80002000 0xffffffff80002000")
    assert plugin.describe_harts(object(), Sym()) == ""   # a board: no window


def test_unique_ids_and_log_names():
    class R:
        def __init__(self, id_):
            self.id = id_
    assert plugin.unique_ids([R("a"), R("b"), R("a"), R("a")]) == ["a", "b", "a~2", "a~3"]
    assert plugin.log_name("test_boot[smp4]") == "test_boot-smp4"
    assert plugin.log_name("ktap-main-smp4-ktest foo/bar") == "ktap-main-smp4-ktest_foo_bar"


# -- whole pytest sessions ---------------------------------------------------------------

SUITE = '''
import pytest


@pytest.mark.ktap(append="ktest")
def test_k(ktap_case):
    ktap_case.check()


def test_boot(keel_boot):
    boot = keel_boot(smp=1)
    assert boot.console.banner.harts == (0,)
    assert boot.log_path.exists()


def test_boot_twice(keel_boot):
    keel_boot(smp=1)
    second = keel_boot(append="panic", until="exit", timeout=10)
    assert second.exit_status == 0
    assert second.console.panic is not None
    assert False, "fails on purpose"
'''


def run_session(tmp_path, *args):
    env = fake_qemu.write_env(tmp_path)
    (tmp_path / "test_suite.py").write_text(textwrap.dedent(SUITE))
    xml = tmp_path / "junit.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_suite.py", f"--lg-env={env}", "-v",
         "-p", "no:cacheprovider", f"--junitxml={xml}", "-o", "junit_family=xunit1",
         f"--keel-log-dir={tmp_path / 'logs'}", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    return proc, xml


def test_session_reports_each_case(tmp_path):
    proc, xml = run_session(tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    for line in ["test_k[first] PASSED", "test_k[nested/inner_a] PASSED",
                 "test_k[nested/inner_b] FAILED", "test_k[nested] FAILED",
                 "test_k[skipped_one] SKIPPED", "test_k[ktap-run] PASSED",
                 "test_boot PASSED", "test_boot_twice FAILED"]:
        assert f"test_suite.py::{line}" in out, out
    assert "nested.c:12: failed: x == y (0x1 vs 0x2)" in out
    assert "keel console" in out and "keel: powering off" in out
    logs = sorted(p.name for p in (tmp_path / "logs" / "env").iterdir())
    assert logs == ["ktap-main-smpdefault-ktest.log", "test_boot.log",
                    "test_boot_twice.2.log", "test_boot_twice.log"]
    cases = {c.get("name"): c for c in ET.parse(xml).getroot().iter("testcase")}
    props = {p.get("name"): p.get("value") for p in cases["test_boot_twice"].iter("property")}
    assert props["console_log"].endswith("test_boot_twice.log")
    assert props["boot2_console_log"].endswith("test_boot_twice.2.log")
    assert props["boot2_exit_status"] == "0" and "boot2_stage_panic" in props
    assert props["boot2_exit_wait"].startswith("stopped after "), props
    props = {p.get("name"): p.get("value") for p in cases["test_k[nested]"].iter("property")}
    assert props["console_log"].endswith("ktap-main-smpdefault-ktest.log")


STANDS_FOR_SUITE = '''
import pytest


@pytest.mark.ktap(append="ktest", target="onehart")
def test_one(ktap_case):
    ktap_case.check()


@pytest.mark.ktap(append="ktest")
def test_all(ktap_case):
    ktap_case.check()
'''


def test_a_target_standing_for_another_boots_once_for_both(tmp_path):
    """A board's main target stands for onehart: the one-hart and all-hart suites of a
    program are one boot of that board, not two of the same board."""
    env = fake_qemu.write_env(tmp_path)
    text = env.read_text()
    main_options = "  main:\n    options:\n"
    assert main_options in text
    env.write_text(text.replace(main_options,
                                main_options + "      keel_stands_for: [onehart]\n", 1))
    (tmp_path / "test_suite.py").write_text(STANDS_FOR_SUITE)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_suite.py", f"--lg-env={env}", "-v",
         "-p", "no:cacheprovider", f"--keel-log-dir={tmp_path / 'logs'}",
         "-k", "first or ktap-run"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    for line in ["test_one[first] PASSED", "test_one[ktap-run] PASSED",
                 "test_all[first] PASSED", "test_all[ktap-run] PASSED"]:
        assert f"test_suite.py::{line}" in out, out
    logs = sorted(p.name for p in (tmp_path / "logs" / "env").iterdir())
    assert logs == ["ktap-main-smpdefault-ktest.log"]


def test_session_without_env_fails_ktap_tests(tmp_path):
    (tmp_path / "test_suite.py").write_text(textwrap.dedent(SUITE))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_suite.py::test_k", "-v", "-p",
         "no:cacheprovider"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "test_k[ktap-run] FAILED" in proc.stdout
    assert "no labgrid environment: pass --lg-env" in proc.stdout


SUBTEST_SUITE = '''
import pytest

RUN = "init=/bin/conf-all prog-a prog-b prog-c"


@pytest.mark.ktap(append=RUN, subtest="prog-a")
def test_a(ktap_case):
    ktap_case.check()


@pytest.mark.ktap(append=RUN, subtest="prog-b")
def test_b(ktap_case):
    ktap_case.check()


@pytest.mark.ktap(append=RUN, whole_run=True)
def test_all(ktap_case):
    ktap_case.check()
'''


def test_programs_sharing_a_run_boot_once_and_keep_their_own_names(tmp_path, monkeypatch):
    fake_qemu.script_console(monkeypatch, tmp_path, RUNNER, 1)
    env = fake_qemu.write_env(tmp_path)
    (tmp_path / "test_suite.py").write_text(SUBTEST_SUITE)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_suite.py", f"--lg-env={env}", "-v",
         "-p", "no:cacheprovider", f"--keel-log-dir={tmp_path / 'logs'}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    out = proc.stdout
    for line in ["test_a[page/one] PASSED", "test_a[page/two] FAILED",
                 "test_a[ktap-run] FAILED", "test_b[page/three] PASSED",
                 "test_b[ktap-run] PASSED", "test_all[ktap-run] FAILED"]:
        assert f"test_suite.py::{line}" in out, out + proc.stderr
    assert "3 failed, 3 passed" in out, out
    assert "exit status 1" in out   # the whole run's end: conf-all said some failed
    logs = sorted(p.name for p in (tmp_path / "logs" / "env").iterdir())
    assert len(logs) == 1 and logs[0].startswith("ktap-main-smpdefault-init=_bin_conf-all")
