"""The plugin's crash handling on the fake QEMU: a crash fails a booting test with its
signature first, a provoked one does not, a quiet console is a hang, KTAP runs that hang
stop early; benchmark figures become properties; `-m` that deselects KTAP tests saves
their boot."""

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import fake_qemu
import pytest
from labgrid import Environment

from keelfarm import pytestplugin as plugin
from keelfarm.console import ConsoleRecorder

SUITE = '''
import pytest


def test_unexpected_panic(keel_boot):
    keel_boot(append="panic", until="exit", timeout=10)


def test_expected_panic(keel_boot):
    boot = keel_boot(append="panic", until="exit", timeout=10, expect_crash="panic")
    assert keel_boot.find_crash(boot).kind == "panic"


def test_failing_and_panicking(keel_boot):
    keel_boot(append="panic", until="exit", timeout=10)
    assert False, "own failure"


def test_waits_for_an_exit_that_never_comes(keel_boot):
    boot = keel_boot(until="exit", timeout=30)
    assert boot.exit_status is not None, "no power-off"


def test_quiet_but_passing(keel_boot):
    keel_boot(until="exit", timeout=2)


def test_faults_on_purpose_then_hangs(keel_boot):
    boot = keel_boot(append="userfault", until="exit", timeout=30, expect_crash="user-fault")
    assert boot.exit_status is not None, "no power-off"


def test_quiet_on_purpose(keel_boot):
    boot = keel_boot(until="exit", timeout=5, hang_timeout=60)
    assert boot.exit_status is not None, "no power-off"


@pytest.mark.ktest
@pytest.mark.ktap(append="ktest")
def test_k(ktap_case):
    ktap_case.check()
'''


HANG = 4  # seconds; the fake QEMU starts printing well within that, even on a busy host


def run_session(tmp_path, *args, env_vars=None):
    env = fake_qemu.write_env(tmp_path)
    (tmp_path / "test_suite.py").write_text(textwrap.dedent(SUITE))
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    ktest: kernel tests\n")
    xml = tmp_path / "junit.xml"
    environ = dict(os.environ, **(env_vars or {}))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_suite.py", f"--lg-env={env}", "-v",
         "-p", "no:cacheprovider", f"--junitxml={xml}", "-o", "junit_family=xunit1",
         f"--keel-log-dir={tmp_path / 'logs'}", f"--keel-hang-timeout={HANG}",
         f"--keel-kernel-elf={tmp_path / 'no-kernel.elf'}", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=environ)
    return proc, xml


def junit_cases(xml):
    """name -> (failure text or None, properties)"""
    out = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        failure = case.find("failure")
        out[case.get("name")] = (failure.text if failure is not None else None, props)
    return out


def test_crashes_in_a_session(tmp_path):
    proc, xml = run_session(tmp_path, "-m", "not ktest")
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    for line in ["test_unexpected_panic FAILED", "test_expected_panic PASSED",
                 "test_failing_and_panicking FAILED",
                 "test_waits_for_an_exit_that_never_comes FAILED",
                 "test_quiet_but_passing PASSED", "test_quiet_on_purpose FAILED",
                 "test_faults_on_purpose_then_hangs FAILED"]:
        assert f"test_suite.py::{line}" in out, out
    cases = junit_cases(xml)
    signature = ("KEEL PANIC: test panic requested on the command line at "
                 "0xffffffff80003bf0")
    message, props = cases["test_unexpected_panic"]
    assert message.splitlines()[0] == signature
    assert props["crash_signature"] == signature and props["crash_kind"] == "panic"
    assert props["crash_group"] == "KEEL PANIC: test panic requested on the command line"
    assert "crash_expected" not in props
    message, props = cases["test_expected_panic"]
    assert message is None and props["crash_signature"] == signature
    assert props["crash_expected"] == "yes"  # the results database files no failure under it
    message, _ = cases["test_failing_and_panicking"]
    assert message.splitlines()[0] == signature and "own failure" in message
    message, props = cases["test_waits_for_an_exit_that_never_comes"]
    assert message.splitlines()[0] == "HANG: no console output after 'keel>'"
    assert props["crash_kind"] == "hang" and "no power-off" in message
    # The fault it provoked does not hide the hang after it, and the wait that gave up
    # says where each hart was (the fake QEMU's `info registers -a`).
    message, props = cases["test_faults_on_purpose_then_hangs"]
    assert message.splitlines()[0].startswith(
        "HANG: no console output after 'child[<n>]: fault: illegal instruction at pc <addr>"), \
        message
    assert props["crash_kind"] == "hang" and "crash_expected" not in props
    harts = "CPU#0 pc 0xffffffff80001000 in the kernel; CPU#1 pc 0xffffffff80001010 in the kernel"
    assert props["hang_harts"] == harts
    assert f"harts when the wait gave up: {harts}" in message
    assert props["exit_wait"].startswith("gave up: console quiet for ")
    message, props = cases["test_quiet_but_passing"]
    assert message is None and "crash_signature" not in props
    message, props = cases["test_quiet_on_purpose"]
    assert "crash_signature" not in props and "no power-off" in message
    assert props["stage_harts_online"]  # and the boot waited its 5 s, not the 4 s:
    assert float(next(c.get("time") for c in ET.parse(xml).getroot().iter("testcase")
                      if c.get("name") == "test_quiet_on_purpose")) >= 5


@pytest.fixture
def qemu_strategy(tmp_path):
    environment = Environment(str(fake_qemu.write_env(tmp_path, boot_timeout=3)))
    yield environment.get_target("main").get_driver("Strategy")
    environment.cleanup()


def test_ktap_run_that_hangs_stops_early(qemu_strategy, tmp_path, monkeypatch):
    fake_qemu.script_console(monkeypatch, tmp_path,
                             "keel: all harts online\nKTAP version 1\n1..2\nok 1 a\n")
    record = plugin.run_ktap(qemu_strategy, timeout=60, hang_after=3)
    assert record.seconds < 30
    assert record.crash.kind == "hang"
    assert record.ended.startswith("no console output for ")
    results = dict(zip(plugin.unique_ids(plugin.ktap_results(record)),
                       plugin.ktap_results(record), strict=True))
    with pytest.raises(pytest.fail.Exception) as missing:
        results["#2"].check()
    assert str(missing.value).splitlines()[0] == "HANG: no console output after 'ok <n> a'"
    assert dict(results["#2"].properties())["crash_kind"] == "hang"
    assert "crash_kind" not in dict(results["a"].properties())
    with pytest.raises(pytest.fail.Exception) as run:
        results["ktap-run"].check()
    assert "the target hung at console line 4" in str(run.value)
    assert dict(results["ktap-run"].properties())["crash_signature"].startswith("HANG")


def test_ktap_run_that_ends_is_no_hang(qemu_strategy):
    record = plugin.run_ktap(qemu_strategy, timeout=30, hang_after=10)
    assert record.crash is None and record.exit_status == 0


def test_minus_m_deselecting_ktap_tests_does_not_boot_for_them(tmp_path):
    log = tmp_path / "qemu-argv.jsonl"
    proc, _ = run_session(tmp_path, "-m", "not ktest", "-k", "test_expected_panic",
                          env_vars={"FAKE_QEMU_LOG": str(log)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    appends = [argv[argv.index("-append") + 1] for argv in map(json.loads, log.open())
               if "-append" in argv]
    assert appends == ["panic"], appends
    assert "test_k[ktap-run]" not in proc.stdout
    proc, _ = run_session(tmp_path, "-m", "ktest", env_vars={"FAKE_QEMU_LOG": str(log)})
    assert "test_suite.py::test_k[first] PASSED" in proc.stdout, proc.stdout


def test_figures_become_properties(tmp_path):
    rec = ConsoleRecorder(tmp_path / "b.log", clock=lambda: 0.0)
    rec.feed(b"keel: boot: 1000 instret at kernel entry, 80500 at all harts online, 7040 us\n"
             b"kbench: thread yield, two threads on one hart      812 instructions/op  "
             b"(4000 ops)\nkbench: done\n")
    props = dict(plugin.stage_properties(rec))
    assert props["bench:boot instret"] == "79500"
    assert props["bench:boot us"] == "7040"
    assert props["bench:thread yield, two threads on one hart"] == "812"
    rec.close()
