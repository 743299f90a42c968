"""Campaigns: place resolution, run verdicts, progress, and whole campaigns on the fake
QEMU — stored in SQLite and in PostgreSQL with the same counts, interrupted with Ctrl-C
and resumed."""

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import fake_qemu
import pytest
from sqlalchemy import create_engine

from keelfarm.cli import main as cli
from keelfarm.errors import FarmError
from keelfarm.results import campaign as camp
from keelfarm.results import resultsdb as rdb
from keelfarm.results.resultsdb import ResultRecord, ResultsDB, RunRecord

SUITE = '''
import pytest


@pytest.mark.boot
def test_boots(keel_boot, record_property):
    keel_boot(smp=1)
    record_property("count:boots", "1")


@pytest.mark.boot
def test_panics(keel_boot):
    keel_boot(append="panic", until="exit", timeout=10)


@pytest.mark.slow
def test_not_in_the_suite():
    assert False


@pytest.mark.long
def test_waits_long(keel_boot):
    keel_boot(until="exit", timeout=60)
'''


@pytest.fixture
def lab(tmp_path):
    """A fake-QEMU environment and a two-test suite in tmp_path (the working directory
    of the campaign)."""
    env = fake_qemu.write_env(tmp_path)
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_fake.py").write_text(textwrap.dedent(SUITE))
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    boot: b\n    slow: s\n    long: l\n")
    return tmp_path, env


def campaign_args(lab, db, *extra):
    tmp_path, env = lab
    return ["campaign", "run", "--suite", "boot", "--place", "fake", "--env", str(env),
            "--tests", "suite", "--db", str(db), "--out", "campaigns",  # relative to the lab
            "--commit", "abc1234", *extra]


# -- pieces ----------------------------------------------------------------------------

def test_resolve_local_and_remote_places(tmp_path):
    envs = tmp_path / "envs"
    envs.mkdir()
    (envs / "qemu-virt.yaml").write_text("targets:\n  main:\n    drivers: {}\n")
    (envs / "vboard.yaml").write_text("targets:\n  main:\n    resources:\n"
                                      "      RemotePlace:\n        name: !template $LG_PLACE\n")
    spec = camp.resolve_place("qemu-virt", envs=envs)
    assert spec == camp.PlaceSpec("qemu-virt", "qemu-virt", str(envs / "qemu-virt.yaml"))
    with pytest.raises(FarmError, match="no local environment"):
        camp.resolve_place("vboard-1", envs=envs)
    with pytest.raises(FarmError, match="environment nope.yaml not found"):
        camp.resolve_place("x", "nope.yaml", envs=envs)

    class Place:
        name, tags, acquired = "vboard-1", {"board": "vboard"}, None

    class Coord:
        address = "127.0.0.1:20408"

        def place(self, name):
            return Place()

    checked = []
    monkey = pytest.MonkeyPatch()
    monkey.setattr("keelfarm.lease.require_holder", lambda c, n, now: checked.append(n))
    monkey.setattr("keelfarm.target.ENVS", envs)
    try:
        spec = camp.resolve_place("vboard-1", envs=envs,
                                  coordinator=lambda: contextlib.nullcontext(Coord()))
    finally:
        monkey.undo()
    assert checked == ["vboard-1"]
    assert spec == camp.PlaceSpec("vboard-1", "vboard", str(envs / "vboard.yaml"),
                                  {"LG_PLACE": "vboard-1", "LG_COORDINATOR": "127.0.0.1:20408"})


def test_a_place_named_after_a_local_environment_of_the_farm_is_that_environment():
    """`--place qemu-virt` with no --env is farm/envs/qemu-virt.yaml, run here, without
    asking a coordinator (the results package once looked for envs/ beside itself)."""
    from keelfarm.target import ENVS
    spec = camp.resolve_place("qemu-virt")
    assert spec == camp.PlaceSpec("qemu-virt", "qemu-virt", str(ENVS / "qemu-virt.yaml"))
    assert (ENVS / "qemu-virt.yaml").is_file() and not spec.on_board


JUNIT = """<testsuites><testsuite>
<testcase classname="tests.test_boot" name="test_boot[smp1]" time="2"/>
<testcase classname="tests.test_boot" name="test_boot[smp4]" time="2">
 <failure message="HANG: no console output after 'x'">t</failure></testcase>
</testsuite></testsuites>"""


@pytest.mark.parametrize("junit, exit_code, timed_out, verdict, note", [
    (JUNIT, 1, False, "fail", None),
    (JUNIT.replace("<failure", "<skipped").replace("</failure>", "</skipped>"), 0, False,
     "pass", None),
    (None, 2, False, "broken", "no results"),
    ("<testsuites><testsuite/></testsuites>", 5, False, "broken", "pytest exit status 5"),
    (JUNIT, None, True, "broken", "timed out"),
    (JUNIT.replace('time="2"/>', 'time="2"><error message="NoResourceFoundError: gone"/>'
                   '</testcase>').replace("<failure", "<error").replace("</failure>",
                                                                        "</error>"),
     1, False, "broken", "every test errored in setup: NoResourceFoundError: gone"),
    (JUNIT.replace("HANG: no console output after 'x'", "serial.serialutil.SerialException: "
                   "connection failed (reader thread died)"), 1, False, "broken",
     "lost the place: test_boot::test_boot[smp4]: serial.serialutil.SerialException"),
    (JUNIT.replace("HANG: no console output after 'x'", "keelfarm.errors.BootError: the "
                   "board's PDU failed to switch its outlet on: ConnectionError: refused"),
     1, False, "broken", "lost the place: test_boot::test_boot[smp4]: keelfarm.errors."
                         "BootError: the board's PDU failed"),
])
def test_run_record(tmp_path, junit, exit_code, timed_out, verdict, note):
    if junit is not None:
        (tmp_path / "junit.xml").write_text(junit)
    outcome = camp.RunOutcome(dt.datetime(2026, 1, 1), 3.25, exit_code, tmp_path,
                              timed_out=timed_out)
    spec = camp.PlaceSpec("qemu-virt", "qemu-virt", "e.yaml")
    record = camp.run_record(outcome, spec, "abc", None)
    assert record.verdict == verdict
    assert (record.note or None) is None if note is None else note in record.note
    assert record.target == "qemu-virt" and record.duration == 3.25


HUNG = """<testsuites><testsuite>
<testcase classname="tests.test_boot" name="test_boot[smp1]" time="2"/>
<testcase classname="tests.test_boot" name="test_boot[smp4]" time="31">
 <properties><property name="crash_kind" value="hang"/>
  <property name="crash_signature" value="HANG: no console output after 'keel: all harts online'"/>
 </properties>
 <failure message="HANG: no console output after 'keel: all harts online'">t</failure>
</testcase>
{more}</testsuite></testsuites>"""
PANICKED = """<testcase classname="tests.test_boot" name="test_boot[smp8]" time="2">
 <properties><property name="crash_kind" value="panic"/></properties>
 <failure message="KEEL PANIC: x at sched_pick (sched.c)">t</failure></testcase>
"""
BOARD = camp.PlaceSpec("vboard-1", "vboard", "vboard.yaml",
                       {"LG_PLACE": "vboard-1", "LG_COORDINATOR": "127.0.0.1:20408"})
LOCAL = camp.PlaceSpec("qemu-virt", "qemu-virt", "qemu-virt.yaml")


@pytest.mark.parametrize("spec, more, verdict", [
    (BOARD, "", "broken"),  # a board gone silent: no verdict on the OS
    (LOCAL, "", "fail"),  # only the OS can hang a local QEMU
    (BOARD, PANICKED, "fail"),  # a panic beside the hang is evidence on the OS
])
def test_a_board_that_hangs_mid_test_makes_the_run_broken_not_failed(tmp_path, spec, more,
                                                                    verdict):
    (tmp_path / "junit.xml").write_text(HUNG.format(more=more))
    outcome = camp.RunOutcome(dt.datetime(2026, 1, 1), 40.0, 1, tmp_path)
    record = camp.run_record(outcome, spec, "abc", None)
    assert record.verdict == verdict
    hung = next(r for r in record.results if r.test.endswith("[smp4]"))
    assert hung.crash_kind == "hang"  # the hang's signature is stored either way
    if verdict == "broken":
        assert record.note == ("the board hung: test_boot::test_boot[smp4]: HANG: no console "
                               "output after 'keel: all harts online'; power-cycled for the "
                               "next run")
    else:
        assert record.note is None


def test_the_run_commit_is_the_booted_build():
    repo = Path(__file__).resolve().parents[2]
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    when = camp.commit_time(repo, head)
    assert when is not None
    earlier = dt.datetime(2020, 1, 1)

    def record(*builds):
        return RunRecord(commit="tree", commit_time=earlier, target="t", place="p",
                         started=earlier, duration=1.0, verdict="pass",
                         results=[ResultRecord(f"t{i}", "passed", kernel_build=b)
                                  for i, b in enumerate(builds)])
    assert camp.booted_build(record(f"{head}-dirty", f"{head}-dirty", "x", None), repo) == \
        (f"{head}-dirty", when)
    assert camp.booted_build(record("fake-1-gabcdef"), repo) == ("fake-1-gabcdef", earlier)
    assert camp.booted_build(record(None), repo) == ("tree", earlier)


def test_progress_and_eta():
    tally = camp.Tally()
    record = RunRecord(commit="c", target="t", place="p", started=dt.datetime(2026, 1, 1),
                       duration=10.0, verdict="fail", seq=1,
                       results=[ResultRecord("a", "passed"), ResultRecord("b", "failed",
                                                                          signature="HANG: x")])
    tally.add(record)
    line = camp.progress_line(record, tally, 5, None)
    assert line.splitlines() == [
        "run 1/5: fail (1/2 tests, 10.0 s) | runs passed 0/1 (0.0%) | tests passed 50.0% "
        "| ETA 40s", "    failed: b: HANG: x"]
    assert camp.eta(tally, None, 1.0) == 3590.0
    assert camp.eta(camp.Tally(), 5, None) is None
    assert "ETA" not in camp.progress_line(record, camp.Tally(), 5, None)


# -- whole campaigns on the fake QEMU ---------------------------------------------------

def run_cli(lab, argv, capsys):
    cwd = os.getcwd()
    os.chdir(lab[0])
    try:
        code = cli.main(argv)
    finally:
        os.chdir(cwd)
    return code, capsys.readouterr().out


def test_campaign_counts_are_the_same_in_sqlite_and_postgresql(lab, postgres_url, capsys):
    engine = create_engine(postgres_url)
    rdb.drop_all(engine)
    engine.dispose()
    summaries, log_dirs = [], []
    for db in (lab[0] / "results.db", postgres_url):
        code, out = run_cli(lab, campaign_args(lab, db, "--runs", "2"), capsys)
        assert code == 0, out
        assert "run 2/2: fail (1/2 tests" in out, out
        assert "test results 2/4 passed; counted: boots 2; " in out, out
        assert "failed: suite.test_fake::test_panics: KEEL PANIC: test panic requested" in out
        with ResultsDB(db) as store:
            (c,) = store.campaigns()
            runs = store.runs(c["id"])
            results = store.results(campaign_id=c["id"])
            log_dirs.append({r["log_dir"] for r in runs})
            summaries.append({
                "campaign": (c["status"], c["runs_done"], c["runs_passed"], c["target"]),
                "runs": [(r["seq"], r["verdict"], r["tests"], r["passed"], r["failed"],
                          r["commit"]) for r in runs],
                "verdicts": store.verdict_counts(c["id"]),
                "groups": sorted((r["test"], r["signature_group"]) for r in results
                                 if r["signature_group"]),
                "stages": len(store.metric_rows("stage")),
                "counted": store.campaign_counts(c["id"]),
            })
            for r in results:
                assert Path(lab[0], r["log_path"]).is_file(), r["log_path"]
    assert summaries[0] == summaries[1]
    assert not log_dirs[0] & log_dirs[1], "both databases' campaign 1 share log directories"
    assert summaries[0]["campaign"] == ("done", 2, 0, "env")
    assert summaries[0]["verdicts"] == {"suite.test_fake::test_boots": {"passed": 2},
                                        "suite.test_fake::test_panics": {"failed": 2}}
    assert summaries[0]["groups"] == 2 * [(
        "suite.test_fake::test_panics", "KEEL PANIC: test panic requested on the command line")]
    assert summaries[0]["stages"] > 0
    assert summaries[0]["counted"] == {"boots": 2.0}


def test_list_and_show(lab, capsys):
    db = lab[0] / "r.db"
    assert run_cli(lab, campaign_args(lab, db, "--runs", "1"), capsys)[0] == 0
    code, out = run_cli(lab, ["campaign", "list", "--db", str(db)], capsys)
    assert code == 0
    assert out.splitlines()[0].split() == ["ID", "SUITE", "PLACE", "TARGET", "ASKED", "DONE",
                                           "PASSED", "TIME", "STATUS", "CREATED"]
    assert out.splitlines()[1].split()[:8] == ["1", "boot", "fake", "env", "1", "runs", "1",
                                               "0"]
    code, out = run_cli(lab, ["campaign", "show", "1", "--db", str(db)], capsys)
    assert "runs: 1 done, 0 passed, 1 not\ncounted: boots 1\n" in out
    assert "  suite.test_fake::test_panics: 1 failed" in out
    assert "  1x KEEL PANIC: test panic requested on the command line" in out
    assert "      abc1234: 0/1 fails (0.00-0.79)" in out
    assert run_cli(lab, ["campaign", "show", "7", "--db", str(db)], capsys)[0] == 1
    code, _ = run_cli(lab, ["campaign", "run", "--resume", "1", "--db", str(db)], capsys)
    assert code == 1  # done already
    # a reader that stops early (| head) ends the listing quietly
    proc = subprocess.Popen([sys.executable, "-m", "keelfarm.cli.main", "campaign", "show",
                             "1", "--db", str(db)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "80"})
    proc.stdout.close()
    assert proc.wait(timeout=30) == 141
    assert b"Traceback" not in proc.stderr.read()


def test_hours_campaign_stops_by_the_clock(lab, capsys):
    db = lab[0] / "r.db"
    code, out = run_cli(lab, campaign_args(lab, db, "--hours", "0.0004"), capsys)  # 1.44 s
    assert code == 0, out
    with ResultsDB(db) as store:
        runs = store.runs()
        (c,) = store.campaigns()
    assert c["hours_wanted"] == 0.0004 and c["runs_wanted"] is None
    assert sum(r["duration"] for r in runs) >= 1.44
    assert sum(r["duration"] for r in runs[:-1]) < 1.44  # it stopped once time was up
    assert "0.0004 h" in out and "| ETA " in out
    assert Path(runs[0]["log_dir"]).is_absolute()


def wait_for(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def stored_runs(db) -> list[int]:
    if not Path(db).exists():
        return []
    with ResultsDB(db) as store:
        return [r["seq"] for r in store.runs()]


def farm_process(lab, argv):
    return subprocess.Popen([sys.executable, "-m", "keelfarm.cli.main", *argv],
                            cwd=lab[0], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def test_ctrl_c_finishes_the_run_and_resume_carries_on(lab):
    db = lab[0] / "r.db"
    proc = farm_process(lab, campaign_args(lab, db, "--runs", "4"))
    wait_for(lambda: stored_runs(db))
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    assert "stopping after the current run" in out
    done = stored_runs(db)
    assert done in ([1], [1, 2]), out  # the run in progress (if any) is kept
    with ResultsDB(db) as store:
        assert store.campaign(1)["status"] == "interrupted"
        assert all(r["tests"] == 2 for r in store.runs())
    proc = farm_process(lab, ["campaign", "run", "--resume", "1", "--db", str(db),
                              "--out", "campaigns", "--commit", "def5678"])
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert f"resuming after run {len(done)}" in out and "run 4/4" in out
    with ResultsDB(db) as store:
        assert [r["seq"] for r in store.runs()] == [1, 2, 3, 4]
        assert store.runs()[-1]["commit"] == "def5678"
        assert store.campaign(1)["status"] == "done"


def processes_mentioning(*texts: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if all(text in args for text in texts):
                found.append(args)
    return found


def test_second_ctrl_c_aborts_the_run_and_stores_nothing_of_it(lab, tmp_path):
    db = lab[0] / "r.db"
    log = tmp_path / "qemu.jsonl"
    argv = campaign_args(lab, db, "--runs", "3")
    argv[argv.index("boot")] = "long"  # a run that waits 60 s on a quiet console
    os.environ["FAKE_QEMU_LOG"] = str(log)
    try:
        proc = farm_process(lab, argv)
    finally:
        del os.environ["FAKE_QEMU_LOG"]
    wait_for(lambda: log.exists() and log.read_text())  # the first run is booting
    # the fake QEMU boots the campaign's frozen copy of the image
    qemu = (str(lab[0] / "campaigns"), "/build/images/kernel/Image")
    wait_for(lambda: processes_mentioning(*qemu), timeout=10)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert proc.poll() is None, "the first Ctrl-C must not stop the run"
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    assert "run 1: aborted, not stored" in out
    assert stored_runs(db) == []
    with ResultsDB(db) as store:
        assert store.campaign(1)["status"] == "interrupted"
    assert len(log.read_text().splitlines()) == 1
    wait_for(lambda: not processes_mentioning(*qemu), timeout=10)


# -- many places, and a campaign killed outright -----------------------------------------

def test_runs_spread_over_places_and_a_place_that_breaks_drops_out(lab, capsys, monkeypatch):
    """Two places on the fake QEMU at once; the second one's runs cannot even start
    (pytest is given an unknown option there, as a place whose exporter is gone gives no
    result), so after two broken runs the campaign goes on with the first alone."""
    tmp_path, env = lab
    monkeypatch.chdir(tmp_path)
    good = camp.resolve_place("fake-a", str(env))
    gone = camp.PlaceSpec("fake-b", "env", str(env), {"PYTEST_ADDOPTS": "--no-such-option"})
    config = camp.CampaignConfig(suite="boot", specs=[good, gone], runs_wanted=5,
                                 tests="suite", out_dir=Path("campaigns"), commit="abc1234")
    with ResultsDB(tmp_path / "r.db") as db:
        campaign_id = camp.start(db, config)
        status = camp.run_campaign(db, campaign_id, config)
        runs = db.runs(campaign_id)
        row = db.campaign(campaign_id)
    out = capsys.readouterr().out
    assert status == "done", out
    assert row["place"] == "fake-a,fake-b" and row["status"] == "done"
    assert sorted(r["seq"] for r in runs) == [1, 2, 3, 4, 5]
    by_place = {p: [r["verdict"] for r in runs if r["place"] == p] for p in ("fake-a", "fake-b")}
    assert by_place["fake-b"] == ["broken", "broken"], out
    assert by_place["fake-a"] == ["fail"] * 3, out  # test_panics fails by design
    assert "fake-b: 2 broken runs in a row; going on with fake-a" in out
    assert "fake-b              2 runs     0 passed    2 broken  (left: 2 broken runs" in out


def test_places_are_stored_so_that_resume_finds_them_again():
    from keelfarm.cli.campaign import parse_places, places_label
    label = places_label(["qemu-virt"], [("vboard", 2)])
    assert label == "qemu-virt,board=vboard*2"
    assert parse_places(label) == (["qemu-virt"], [("vboard", 2)])
    assert parse_places("vboard-1") == (["vboard-1"], [])


def test_a_killed_campaign_takes_its_runs_with_it_and_resumes_once_they_are_gone(lab):
    db = lab[0] / "r.db"
    argv = campaign_args(lab, db, "--runs", "2")
    argv[argv.index("boot")] = "long"  # a run that waits 60 s on a quiet console
    proc = farm_process(lab, argv)
    qemu = (str(lab[0] / "campaigns"), "/build/images/kernel/Image")
    wait_for(lambda: processes_mentioning(*qemu), timeout=60)
    again = farm_process(lab, ["campaign", "run", "--resume", "1", "--db", str(db),
                               "--out", "campaigns"])
    out, _ = again.communicate(timeout=60)
    assert again.returncode == 1 and "campaign 1 is still running: a process holds" in out
    proc.kill()
    proc.communicate(timeout=10)
    # the guard sees its parent die, stops pytest like a second Ctrl-C, and QEMU goes
    wait_for(lambda: not processes_mentioning(*qemu), timeout=30)
    wait_for(lambda: not processes_mentioning("keelfarm.results.childguard", str(lab[0])),
             timeout=30)
    with ResultsDB(db) as store:
        assert store.campaign(1)["status"] == "running"  # nobody lived to say otherwise
    again = farm_process(lab, ["campaign", "run", "--resume", "1", "--db", str(db),
                               "--out", "campaigns", "--run-timeout", "2"])
    out, _ = again.communicate(timeout=180)
    assert again.returncode == 0, out
    assert "run 2/2: broken" in out and "timed out" in out
    with ResultsDB(db) as store:
        assert store.campaign(1)["status"] == "done"
