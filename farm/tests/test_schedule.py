"""Nightly campaigns: when an entry is due, the config file's checks, and `farm campaign
schedule --once` starting a due campaign on the fake QEMU exactly once."""

import datetime as dt
import os

import fake_qemu
import pytest
import yaml

from keelfarm.cli import main as cli
from keelfarm.errors import FarmError
from keelfarm.results import schedule as sch
from keelfarm.results.resultsdb import ResultsDB

WED = dt.datetime(2026, 12, 2, 12, 0)  # a Wednesday noon


def entry(**kw):
    raw = {"name": "n", "at": "02:00", "suite": "boot", "place": "qemu-virt", "runs": 5, **kw}
    return sch.parse_entry(raw, "test")


def test_an_entry_is_due_once_its_time_has_passed_since_it_last_started():
    e = entry()
    assert e.last_due(WED) == dt.datetime(2026, 12, 2, 2, 0)
    assert e.next_due(WED) == dt.datetime(2026, 12, 3, 2, 0)
    assert sch.due([e], {"n": dt.datetime(2026, 12, 1, 2, 0)}, WED) == [e]
    assert sch.due([e], {"n": dt.datetime(2026, 12, 2, 2, 0)}, WED) == []
    # down for three nights: started once, late, not three times
    assert sch.due([e], {"n": dt.datetime(2026, 11, 28, 2, 0)}, WED) == [e]
    assert sch.due([e], {}, WED) == []  # never seen: waits for its next time


def test_days_pick_the_nights():
    e = entry(days=["sat", "sun"])
    assert e.next_due(WED) == dt.datetime(2026, 12, 5, 2, 0)
    assert e.last_due(WED) == dt.datetime(2026, 11, 29, 2, 0)  # Sunday


def test_the_entry_becomes_campaign_run_arguments():
    e = entry(board="vboard", places=2, runs=None, hours=6, extra=["--tests", "t"])
    assert e.argv("pg://x") == ["campaign", "run", "--suite", "boot", "--place", "qemu-virt",
                                "--board", "vboard", "--places", "2", "--hours", "6",
                                "--db", "pg://x", "--tests", "t"]


@pytest.mark.parametrize("raw, message", [
    ({"name": "n", "suite": "boot", "place": "q", "runs": 1}, "needs name, suite and at"),
    ({"name": "n", "at": "2:00", "suite": "boot", "place": "q"}, "runs or hours"),
    ({"name": "n", "at": "2:00", "suite": "boot", "runs": 1}, "place or board"),
    ({"name": "n", "at": "2:00", "suite": "boot", "place": "q", "runs": 1, "days": ["fry"]},
     "unknown days"),
])
def test_a_bad_entry_is_a_one_line_error(raw, message):
    with pytest.raises(FarmError, match=message):
        sch.parse_entry(raw, "f.yaml")


def test_schedule_once_starts_a_due_campaign_once(tmp_path, monkeypatch, capsys):
    env = fake_qemu.write_env(tmp_path)
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "test_fake.py").write_text(
        "import pytest\n\n\n@pytest.mark.boot\ndef test_boots(keel_boot):\n"
        "    keel_boot(smp=1)\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    boot: b\n")
    config = tmp_path / "schedule.yaml"
    config.write_text(yaml.safe_dump({"campaigns": [{
        "name": "nightly", "at": "00:00", "suite": "boot", "place": "fake", "runs": 1,
        "extra": ["--env", str(env), "--tests", "suite", "--commit", "abc1234",
                  "--out", "campaigns"]}]}))
    # it last started yesterday: today's 00:00 is due
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    sch.write_state(sch.state_path(config), {"nightly": yesterday})
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "r.db")
    argv = ["campaign", "schedule", "--config", str(config), "--once", "--db", db]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "schedule: starting nightly: farm campaign run --suite boot --place fake" in out
    assert "schedule: nightly ended with status 0" in out
    with ResultsDB(db) as store:
        (c,) = store.campaigns()
    assert (c["suite"], c["runs_done"], c["status"]) == ("boot", 1, "done")
    assert sch.read_state(sch.state_path(config))["nightly"] > yesterday
    assert cli.main(argv) == 0  # the same night again: nothing to start
    assert "starting" not in capsys.readouterr().out
    assert cli.main(["campaign", "schedule", "--config", str(config), "--list"]) == 0
    assert "nightly: next " in capsys.readouterr().out
    assert os.path.exists(tmp_path / "campaigns")
