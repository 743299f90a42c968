"""The results database on SQLite and on a real PostgreSQL server: the same store and
query tests against both."""

import datetime as dt

import pytest
from sqlalchemy import create_engine, func, select

from keelfarm.errors import FarmError
from keelfarm.results import resultsdb as rdb
from keelfarm.results.resultsdb import ResultRecord, ResultsDB, RunRecord

T0 = dt.datetime(2026, 11, 20, 12, 0, 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        url = str(tmp_path / "sub" / "results.db")
    else:
        url = request.getfixturevalue("postgres_url")
        engine = create_engine(url)
        rdb.drop_all(engine)  # every test starts from empty tables
        engine.dispose()
    with ResultsDB(url) as database:
        yield database


def make_run(seq, *, commit="abc1234", verdicts=("passed", "passed"), campaign_id=None,
             commit_time=T0, target="qemu-virt"):
    results = []
    for i, verdict in enumerate(verdicts):
        r = ResultRecord(test=f"test_boot::test_boot[smp{i}]", verdict=verdict, duration=1.5,
                       log_path=f"build/campaigns/1/run-{seq}/t{i}.log",
                       stages={"banner": 0.5 + i, "harts_online": 0.9 + i},
                       bench={"boot us": 7000.0 + seq})
        if verdict == "failed":
            r.message = "KEEL PANIC: x in kmain (os/kernel/core/main.c:178)"
            r.signature, r.signature_group = r.message, "KEEL PANIC: x in kmain"
            r.crash_kind, r.frames = "panic", "  #0 0x1 kmain (os/kernel/core/main.c:178)"
        results.append(r)
    verdict = rdb.RUN_PASS if all(v == "passed" for v in verdicts) else rdb.RUN_FAIL
    return RunRecord(commit=commit, commit_time=commit_time, target=target, place=target,
                     env="farm/envs/qemu-virt.yaml", started=T0 + dt.timedelta(minutes=seq),
                     duration=12.5, verdict=verdict, exit_code=0 if verdict == "pass" else 1,
                     log_dir=f"build/campaigns/1/run-{seq}", results=results,
                     campaign_id=campaign_id, seq=seq)


def test_store_and_read_back(db):
    cid = db.create_campaign(suite="boot", place="qemu-virt", target="qemu-virt",
                             env="farm/envs/qemu-virt.yaml", runs_wanted=3)
    db.add_run(make_run(1, campaign_id=cid))
    db.add_run(make_run(2, campaign_id=cid, verdicts=("passed", "failed")))
    db.add_run(make_run(3, campaign_id=cid, verdicts=("passed", "skipped")))
    runs = db.runs(cid)
    assert [(r["seq"], r["verdict"], r["tests"], r["passed"], r["failed"], r["skipped"])
            for r in runs] == [(1, "pass", 2, 2, 0, 0), (2, "fail", 2, 1, 1, 0),
                               (3, "fail", 2, 1, 0, 1)]
    assert runs[0]["started"] == T0 + dt.timedelta(minutes=1)
    assert runs[0]["commit_time"] == T0 and runs[0]["commit"] == "abc1234"
    assert db.last_seq(cid) == 3
    assert db.verdict_counts(cid) == {"test_boot::test_boot[smp0]": {"passed": 3},
                                      "test_boot::test_boot[smp1]": {"passed": 1, "failed": 1,
                                                                     "skipped": 1}}
    failed = [r for r in db.results(campaign_id=cid) if r["verdict"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["signature_group"] == "KEEL PANIC: x in kmain"
    assert failed[0]["commit"] == "abc1234" and failed[0]["target"] == "qemu-virt"
    stages = db.metric_rows("stage")
    assert len(stages) == 3 * 2 * 2
    assert {r["name"] for r in stages} == {"banner", "harts_online"}
    bench = db.metric_rows("bench")
    assert sorted({r["value"] for r in bench}) == [7001.0, 7002.0, 7003.0]


def test_campaign_list_and_status(db):
    first = db.create_campaign(suite="boot", place="qemu-virt", target="qemu-virt",
                               env="e.yaml", runs_wanted=5)
    second = db.create_campaign(suite="smp_stress", place="vboard-1", target="vboard",
                                env=None, hours_wanted=1.5, pytest_args="-x")
    db.add_run(make_run(1, campaign_id=first))
    db.add_run(make_run(2, campaign_id=first, verdicts=("failed",)))
    db.set_campaign_status(first, "interrupted")
    listed = db.campaigns()
    assert [(c["id"], c["status"], c["runs_done"], c["runs_passed"]) for c in listed] == [
        (first, "interrupted", 2, 1), (second, "running", 0, 0)]
    assert listed[0]["seconds"] == pytest.approx(25.0)
    assert listed[0]["finished"] is not None and listed[1]["finished"] is None
    got = db.campaign(second)
    assert got["hours_wanted"] == 1.5 and got["pytest_args"] == "-x"
    assert db.campaign(999) is None


def test_a_failed_run_insert_leaves_nothing(db):
    cid = db.create_campaign(suite="boot", place="p", target="t", env=None)
    db.add_run(make_run(1, campaign_id=cid))
    with pytest.raises(Exception):  # noqa: B017 - the driver's own IntegrityError
        db.add_run(make_run(1, campaign_id=cid))  # the same seq twice
    assert len(db.runs(cid)) == 1
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(rdb.results)).scalar() == 2
        assert conn.execute(select(func.count()).select_from(rdb.metrics)).scalar() == 6


def test_since_and_commit_time(db):
    db.add_run(make_run(1, commit="old1111", commit_time=T0))
    db.add_run(make_run(2, commit="new2222-dirty", commit_time=T0 + dt.timedelta(days=1)))
    assert db.commit_time("new2222") == T0 + dt.timedelta(days=1)
    assert db.commit_time("nope") is None
    since = db.commit_time("new2222")
    assert {r["commit"] for r in db.results(since=since)} == {"new2222-dirty"}
    assert {r["commit"] for r in db.metric_rows("bench", since=since)} == {"new2222-dirty"}
    assert len(db.results()) == 4


def test_database_url(tmp_path):
    assert rdb.database_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert rdb.database_url(tmp_path / "x" / "r.db") == f"sqlite:///{tmp_path}/x/r.db"
    assert (tmp_path / "x").is_dir()


def test_unreachable_database_is_a_farm_error():
    with pytest.raises(FarmError, match=r"results database postgresql\+psycopg2://u:\*\*\*@"):
        ResultsDB("postgresql+psycopg2://u:secret@127.0.0.1:1/db")


def test_a_new_database_opened_by_several_processes_at_once_opens_in_all(tmp_path):
    """A campaign and its readers create a new database at the same moment: every one
    of them opens it (the migration runs once, the others wait for it)."""
    import subprocess
    import sys
    db = tmp_path / "new.db"
    code = ("import sys, time; from keelfarm.results.resultsdb import ResultsDB; "
            "time.sleep(max(0.0, float(sys.argv[2]) - time.time())); "
            "d = ResultsDB(sys.argv[1]); print(len(d.campaigns())); d.close()")
    import time
    start = time.time() + 8.0  # all of them begin together, once Python is up
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db), str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(6)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in outs]
    assert [out.strip() for out, _ in outs] == ["0"] * 6

@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_database_of_the_previous_schema_upgrades_in_place(kind, tmp_path, request):
    """Made as the farm made it before migrations (create_all of the four first tables,
    a run stored), opened by this farm: stamped, upgraded, its data still there, and
    the new tables usable."""
    from sqlalchemy import MetaData, insert, inspect, text
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        rdb.drop_all(create_engine(url))
    engine = create_engine(url)
    old = MetaData()
    for name in ("campaigns", "runs", "results", "metrics"):
        rdb.metadata.tables[name].to_metadata(old)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(old.tables["campaigns"]).values(
            suite="boot", place="qemu-virt", target="qemu-virt", created=T0, status="done"))
    assert "bisections" not in inspect(engine).get_table_names()
    engine.dispose()
    with ResultsDB(url) as db:
        assert [c["suite"] for c in db.campaigns()] == ["boot"]
        bisection = db.create_bisection(suite="boot", test=None, place="qemu-virt",
                                        good="a", bad="b", campaign_id=1)
        assert db.bisections()[0]["id"] == bisection
        assert db.triages() == []
        with db.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    head = sorted(p.name[:4] for p in (rdb.MIGRATIONS / "versions").glob("0*.py"))[-1]
    assert version == head
    with ResultsDB(url) as db:  # and opening it again changes nothing
        assert len(db.campaigns()) == 1


def test_a_new_database_has_every_table_of_the_code(tmp_path):
    """The migrations make exactly the tables resultsdb.py declares."""
    from sqlalchemy import inspect
    with ResultsDB(tmp_path / "n.db") as db:
        found = inspect(db.engine)
        assert set(found.get_table_names()) == set(rdb.metadata.tables) | {"alembic_version"}
        for name, table in rdb.metadata.tables.items():
            assert [c["name"] for c in found.get_columns(name)] == [c.name for c in table.c], \
                name


def test_an_unreadable_database_is_a_one_line_error(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(FarmError, match=r"^results database sqlite:///.*junk.db: .*not a "
                                        r"database") as e:
        ResultsDB(junk)
    assert "\n" not in str(e.value)


def test_a_case_needing_more_than_two_attempts_is_flaky(db):
    cid = db.create_campaign(suite="ktest", place="qemu-virt", target="qemu-virt",
                             env="e.yaml", runs_wanted=3)
    for seq, attempts in enumerate((1, 2, 4, 2), start=1):
        run = make_run(seq, campaign_id=cid, verdicts=("passed",))
        run.results[0].attempts = attempts
        db.add_run(run)
    steady = make_run(5, campaign_id=cid, verdicts=("passed", "passed"))
    steady.results[1].attempts = 2
    db.add_run(steady)
    assert db.flaky(cid) == {"test_boot::test_boot[smp0]": 4}
    assert db.flaky(cid, allowed=4) == {}
    assert sorted(r["value"] for r in db.metric_rows("attempts")) == [1, 2, 2, 2, 4]
