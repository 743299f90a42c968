"""`farm campaign export|import`: a campaign carried from one results database to
another (from SQLite or PostgreSQL) comes out the same, once, or not at all."""

import gzip
import json

import pytest
from test_resultsdb import db, make_run  # noqa: F401  (db is a fixture)

from keelfarm.cli import main as cli
from keelfarm.errors import FarmError
from keelfarm.results import archive
from keelfarm.results.resultsdb import ResultsDB


def fill(database):
    cid = database.create_campaign(suite="ktest", place="qemu-virt", target="qemu-virt",
                                   env="farm/envs/qemu-virt.yaml", runs_wanted=3,
                                   tests_path="tests/test_ktest.py", pytest_args="-k smp8")
    database.add_run(make_run(1, campaign_id=cid))
    failed = make_run(2, campaign_id=cid, verdicts=("passed", "failed"))
    failed.results[0].attempts = 4
    failed.results[1].tallies = {"processes": 17.0}
    database.add_run(failed)
    database.add_run(make_run(3, campaign_id=cid, verdicts=("passed", "skipped")))
    database.set_campaign_status(cid, "done")
    return cid


def strip(rows, *keys):
    return [{k: v for k, v in r.items() if k not in keys} for r in rows]


def test_a_campaign_comes_out_as_it_went_in(db, tmp_path):  # noqa: F811
    cid = fill(db)
    path = tmp_path / "c.jsonl.gz"
    assert archive.export_campaign(db, cid, path) == {"runs": 3, "results": 6, "metrics": 20}
    with ResultsDB(tmp_path / "other.db") as other:
        other.create_campaign(suite="boot", place="x", target="x", env=None)  # ids differ
        new_id, counts = archive.import_campaign(other, path)
        assert new_id == 2 and counts == {"runs": 3, "results": 6, "metrics": 20}
        src, dst = db.campaign(cid), other.campaign(new_id)
        assert strip([src], "id") == strip([dst], "id")
        assert strip(db.runs(cid), "id", "campaign_id") == \
            strip(other.runs(new_id), "id", "campaign_id")
        assert strip(db.results(campaign_id=cid), "id", "run_id", "campaign_id") == \
            strip(other.results(campaign_id=new_id), "id", "run_id", "campaign_id")
        assert other.verdict_counts(new_id) == db.verdict_counts(cid)
        assert other.flaky(new_id) == {"test_boot::test_boot[smp0]": 4}
        assert other.campaign_counts(new_id) == {"processes": 17.0}
        assert sorted((m["name"], m["value"]) for m in other.metric_rows("bench")) == \
            sorted((m["name"], m["value"]) for m in db.metric_rows("bench"))


def test_the_same_campaign_is_imported_once(db, tmp_path):  # noqa: F811
    path = tmp_path / "c.jsonl.gz"
    archive.export_campaign(db, fill(db), path)
    with ResultsDB(tmp_path / "other.db") as other:
        archive.import_campaign(other, path)
        with pytest.raises(FarmError, match="already in .* as campaign 1"):
            archive.import_campaign(other, path)
        assert len(other.campaigns()) == 1 and len(other.runs(1)) == 3


def rewrite(path, edit):
    with gzip.open(path, "rt") as f:
        lines = [json.loads(line) for line in f]
    edit(lines)
    with gzip.open(path, "wt") as f:
        f.writelines(json.dumps(line) + "\n" for line in lines)


def cut_short(lines):
    del lines[-1]


def bad_time(lines):
    lines[2]["run"]["started"] = "yesterday"


def bad_metric(lines):
    lines[3]["results"][0]["metrics"] = [["bench", "x"]]


@pytest.mark.parametrize("damage, message", [
    (cut_short, "says 3 runs but holds 2"),
    (bad_time, "line 3: the run: started is not a time"),
    (bad_metric, r"line 4: a metric is not \[kind, name, value\]"),
])
def test_a_damaged_file_adds_nothing(db, tmp_path, damage, message):  # noqa: F811
    path = tmp_path / "c.jsonl.gz"
    archive.export_campaign(db, fill(db), path)
    rewrite(path, damage)
    with ResultsDB(tmp_path / "other.db") as other:
        with pytest.raises(FarmError, match=message):
            archive.import_campaign(other, path)
        assert other.campaigns() == [] and other.runs() == []


def test_not_an_export(tmp_path):
    with ResultsDB(tmp_path / "r.db") as database:
        plain = tmp_path / "plain.txt"
        plain.write_text("hello\n")
        with pytest.raises(FarmError, match="not a campaign export"):
            archive.import_campaign(database, plain)
        with pytest.raises(FarmError, match="no such file"):
            archive.import_campaign(database, tmp_path / "gone.jsonl.gz")
        with pytest.raises(FarmError, match="no campaign 7"):
            archive.export_campaign(database, 7, tmp_path / "x.jsonl.gz")
        assert not (tmp_path / "x.jsonl.gz").exists()


def test_the_commands(tmp_path, capsys):
    src, dst = tmp_path / "src.db", tmp_path / "dst.db"
    with ResultsDB(src) as database:
        cid = fill(database)
    out = tmp_path / "records" / "c.jsonl.gz"
    assert cli.main(["campaign", "export", str(cid), "--to", str(out), "--db", str(src)]) == 0
    assert "3 runs, 6 results, 20 metrics written to" in capsys.readouterr().out
    assert cli.main(["campaign", "import", str(out), "--db", str(dst)]) == 0
    assert f"{out}: campaign 1: 3 runs" in capsys.readouterr().out
    # a second file refused, the first one's campaign stays; the status says so
    assert cli.main(["campaign", "import", str(out), str(tmp_path / "gone"),
                     "--db", str(dst)]) == 1
    err = capsys.readouterr().err
    assert "already in" in err and "gone: no such file" in err
    with ResultsDB(dst) as database:
        assert [c["runs_done"] for c in database.campaigns()] == [3]
