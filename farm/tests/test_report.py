"""The HTML report from a synthetic database: rendered in headless Chromium (Debian's),
whose DOM must hold every plot, point and table row the data calls for."""

import datetime as dt
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from keelfarm.cli import main as cli
from keelfarm.errors import FarmError
from keelfarm.results.report import write_report
from keelfarm.results.resultsdb import ResultRecord, ResultsDB, RunRecord

T0 = dt.datetime(2026, 11, 1)
COMMITS = ["c0ffee1", "beef002", "dead003"]
TARGETS = ["qemu-virt", "qemu-sifive-u"]
RUNS = 16  # 16 of 16 is the least that passes with confidence (Wilson lower bound 0.8)
PANIC = "KEEL PANIC: test panic requested on the command line in kmain"


def fill(db: ResultsDB, log: Path) -> None:
    """3 commits x 2 targets x RUNS runs of 3 tests.  On the last commit test_ktest[sync]
    fails on virt every time (a regression), test_boot is flaky on sifive_u on the
    second commit; every result has stage times, test_boot has bench figures."""
    cid = db.create_campaign(suite="boot", place="qemu-virt", target="qemu-virt", env=None,
                             runs_wanted=RUNS)
    for ci, commit in enumerate(COMMITS):
        for target in TARGETS:
            for k in range(RUNS):
                results = []
                for test in ("test_boot::test_boot[smp4]", "test_ktest::test_ktest[sync]",
                             "test_panic::test_panic"):
                    r = ResultRecord(test=test, verdict="passed", duration=1.0,
                                     log_path=str(log),
                                     stages={"opensbi": 0.01 + 0.001 * k, "banner": 0.05,
                                             "harts_online": 0.09 + 0.01 * ci})
                    if test.startswith("test_boot"):
                        r.bench = {"boot instret": 79_000_000 + 1_000_000 * ci + k,
                                   "boot us": 70_000 - 5_000 * ci}
                        if ci == 1 and target == "qemu-sifive-u" and k % 2:
                            r.verdict, r.message = "failed", "assert 3 == 4"
                    if test.startswith("test_ktest") and ci == 2 and target == "qemu-virt":
                        r.verdict = "failed"
                        r.signature = f"{PANIC} (os/kernel/core/main.c:{178 + k})"
                        r.signature_group, r.crash_kind = PANIC, "panic"
                        r.frames = "  #0 0xffffffff80008730 kmain (os/kernel/core/main.c:178)"
                    results.append(r)
                verdict = "pass" if all(r.verdict == "passed" for r in results) else "fail"
                db.add_run(RunRecord(
                    commit=commit, commit_time=T0 + dt.timedelta(days=ci), target=target,
                    place=target, started=T0 + dt.timedelta(days=ci, minutes=k),
                    duration=8.0, verdict=verdict, results=results, campaign_id=cid,
                    seq=(ci * 2 + TARGETS.index(target)) * RUNS + k + 1))


class Dom(HTMLParser):
    """Counts what the report drew: plots by name, points, boxes, rows per table."""

    def __init__(self):
        super().__init__()
        self.plots: dict[str, dict[str, int]] = {}
        self.rows: dict[str, int] = {}
        self.links: list[str] = []
        self._plot = self._table = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and a.get("class") == "plot":
            self._plot = self.plots.setdefault(a["data-plot"], {"point": 0, "box": 0,
                                                                "series": 0})
        elif self._plot is not None and tag in ("circle", "g"):
            kind = a.get("class")
            if kind in self._plot:
                self._plot[kind] += 1
        elif tag == "table":
            self._table = a.get("id")
            self.rows[self._table] = 0
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows[self._table] += 1
        elif tag == "a":
            self.links.append(a.get("href"))

    def handle_endtag(self, tag):
        if tag == "svg":
            self._plot = None
        elif tag == "tbody":
            self._in_body = False


def chromium(*args) -> subprocess.CompletedProcess:
    browser = shutil.which("chromium")
    assert browser, "Debian's chromium is installed by ci/install-deps.sh"
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", *args], capture_output=True, text=True,
                          timeout=120)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def report(tmp_path):
    log = tmp_path / "logs" / "ktap.log"
    log.parent.mkdir()
    log.write_text("KEEL PANIC: ...\n")
    db_path = tmp_path / "results.db"
    with ResultsDB(db_path) as db:
        fill(db, log)
        page = write_report(db, tmp_path / "report" / "index.html")
    return tmp_path, db_path, page


def test_report_renders_in_chromium(report):
    tmp_path, _, page = report
    profile = tmp_path / "profile"
    dumped = chromium(f"--user-data-dir={profile}", "--dump-dom", page.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = Dom()
    dom.feed(dumped.stdout)
    # one pass-rate point per commit and target, two boxes plots, two bench figures
    assert dom.plots["pass-rate"] == {"point": 6, "box": 0, "series": 2}
    for target in TARGETS:
        assert dom.plots[f"stages-{target}"]["box"] == 3
    assert dom.plots["bench-boot instret"]["point"] == 6
    assert dom.plots["bench-boot us"]["series"] == 2
    assert dom.rows == {"pass-rates": 6, "regressions": 1, "unstable": 2, "signatures": 2,
                        "stage-times": 6, "bench": 4}
    assert dom.links == ["../logs/ktap.log", "../logs/ktap.log"]
    text = re.sub(r"<[^>]+>", " ", dumped.stdout)
    assert "96 runs (72 passed, 0 broken) in 1 campaigns, 288 test results, 3 commits" in \
        " ".join(text.split())
    assert PANIC in dumped.stdout

    shot = tmp_path / "shot.png"
    taken = chromium(f"--user-data-dir={profile}", f"--screenshot={shot}",
                     "--window-size=1200,3000", page.as_uri())
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert png_size(shot) == (1200, 3000)
    assert shot.stat().st_size > 50_000, "a page with charts is more than a blank PNG"


def test_report_since_and_cli(report, capsys):
    tmp_path, db_path, _ = report
    out = tmp_path / "since" / "index.html"
    assert cli.main(["report", "--db", str(db_path), "--since", "beef002", "-o",
                     str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"report: {out}"
    assert lines[1].startswith("dashboard pages: ") and "(start at matrix.html)" in lines[1]
    dom = Dom()
    dom.feed(out.read_text())
    assert dom.plots["pass-rate"]["point"] == 4  # two commits x two targets
    assert dom.rows["pass-rates"] == 4
    with ResultsDB(db_path) as db, pytest.raises(FarmError, match="not a commit"):
        write_report(db, out, since="0000000nothing")


def test_empty_database_report(tmp_path):
    with ResultsDB(tmp_path / "r.db") as db:
        page = write_report(db, tmp_path / "index.html").read_text()
    dom = Dom()
    dom.feed(page)
    assert dom.plots == {"pass-rate": {"point": 0, "box": 0, "series": 0}}
    for text in ("No regressions", "Every test passed", "No failures",
                 "No boot-stage times", "No benchmark figures"):
        assert text in page


def test_svg_helpers():
    from keelfarm.results.svgplot import line_chart, nice_range, quartiles
    assert quartiles([4, 1, 3, 2, 5]) == (1, 2, 3, 4, 5)
    assert quartiles([1.0]) == (1.0, 1.0, 1.0, 1.0, 1.0)
    assert nice_range([0.013, 0.11], floor=0.0) == (0.0, 0.12)
    assert nice_range([79e6, 81e6]) == (79e6, 81e6)
    assert nice_range([5.0]) == pytest.approx((4.4, 5.6))
    assert nice_range([0.0]) == pytest.approx((-1.0, 1.0))
    assert nice_range([2.0], floor=0.0) == pytest.approx((0.0, 2.0))
    assert nice_range([0.0], floor=0.0) == pytest.approx((0.0, 1.0))
    svg = line_chart("x", "t <&>", ["a", "b", "c"], {"s": [1.0, None, 3.0]})
    assert svg.count('class="point"') == 2 and "<polyline" not in svg  # a gap, no line
    assert "t &lt;&amp;&gt;" in svg
