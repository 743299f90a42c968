"""The live dashboard in a real browser: Debian's chromium, driven by selenium through
chromium-driver, loads every page from `farm web`'s application over a results database
with known contents and checks that each page shows its data (and that plotly's charts
draw, offline).  Screenshots go to $KEEL_SCREENSHOT_DIR (default: the test's tmp dir)."""

import datetime as dt
import os
import re
import threading
from pathlib import Path

import pytest
from browser import chromium
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from keelfarm.results.resultsdb import ResultRecord, ResultsDB, RunRecord
from keelfarm.results.web.app import create_app

T0 = dt.datetime(2026, 11, 30, 12, 0)
PANIC = "KEEL PANIC: page fault in kernel at 0xffffffc000201234"


def fill(db: ResultsDB, log: Path) -> None:
    """Two commits of the boot suite on qemu-virt and vboard-1: a test that is flaky on
    vboard-1 at the second commit (it fails once, then passes), a crash with its
    symbolized frames and console log, boot-stage and benchmark figures; a campaign
    running; a bisection."""
    done = db.create_campaign(suite="boot", place="qemu-virt,vboard-1", target="qemu-virt",
                              env=None, runs_wanted=4)
    live = db.create_campaign(suite="smp_stress", place="qemu-virt", target="qemu-virt",
                              env=None, runs_wanted=10)
    db.set_campaign_status(done, "done")
    seq = 0
    for i, (commit, flaky_verdict) in enumerate((("aaa1111", "passed"), ("bbb2222", "failed"))):
        for place in ("qemu-virt", "vboard-1"):
            seq += 1
            crash = flaky_verdict == "failed" and place == "vboard-1"
            results = [
                ResultRecord("test_boot::test_boot[smp4]", "passed", 2.0,
                             stages={"banner": 1.0 + i, "harts_online": 1.5 + i},
                             bench={"ipc_roundtrip": 900.0 + 100 * i}),
                ResultRecord("test_panic::test_sometimes",
                             flaky_verdict if crash else "passed", 3.0,
                             message=PANIC if crash else None,
                             signature=f"{PANIC} in vm_fault (vm.c:88)" if crash else None,
                             signature_group="KEEL PANIC: page fault in kernel in vm_fault"
                             if crash else None, crash_kind="panic" if crash else None,
                             frames="#0 vm_fault at vm.c:88\n#1 trap_handler at trap.c:140"
                             if crash else None, log_path=str(log) if crash else None)]
            db.add_run(RunRecord(commit=commit, commit_time=T0 + dt.timedelta(hours=i),
                                 target=place, place=place,
                                 started=T0 + dt.timedelta(hours=i, minutes=seq),
                                 duration=5.0, verdict="fail" if crash else "pass",
                                 results=results, campaign_id=done, seq=seq))
    db.add_run(RunRecord(commit="bbb2222", commit_time=T0 + dt.timedelta(hours=1),
                         target="vboard-1", place="vboard-1", started=T0 + dt.timedelta(hours=2),
                         duration=5.0, verdict="pass", campaign_id=done, seq=seq + 1,
                         results=[ResultRecord("test_panic::test_sometimes", "passed")]))
    db.add_run(RunRecord(commit="bbb2222", target="qemu-virt", place="qemu-virt",
                         started=T0 + dt.timedelta(hours=3), duration=7.0, verdict="pass",
                         results=[ResultRecord("test_smp::test_stress", "passed")],
                         campaign_id=live, seq=1))
    b = db.create_bisection(suite="boot", test="test_sometimes", place="vboard-1",
                            good="aaa1111", bad="bbb2222", campaign_id=None)
    db.add_bisect_step(b, commit="aaa1111", role="good", verdict="good", passed=17, failed=0,
                       broken=0, confidence=1.0)
    db.add_bisect_step(b, commit="bbb2222", role="bad", verdict="bad", passed=12, failed=5,
                       broken=0, confidence=1.0)
    db.finish_bisection(b, status="done", rule="sequential", first_bad="bbb2222",
                        candidates=["bbb2222"], confidence=0.975)
    failed = next(r for r in db.runs() if r["verdict"] == "fail")
    for verdict in ("flaky", "board fault"):  # the boards page shows the last
        db.add_triage(run_id=failed["id"], place="vboard-1", target="vboard-1",
                      commit="bbb2222", verdict=verdict, why="fails again on this board",
                      board_rerun="fail", qemu_rerun="pass", sibling=None,
                      sibling_rerun=None)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web")
    log = tmp / "console.log"
    log.write_text(f"OpenSBI v1.1\nKeel 0.1.0 (bbb2222)\n{PANIC}\n")
    url = str(tmp / "r.db")
    with ResultsDB(url) as db:
        fill(db, log)
    boards = [{"name": "vboard-1", "board": "vboard", "health": "bad", "holder": None,
               "lease": None},
              {"name": "vboard-2", "board": "vboard", "health": "ok", "holder": "lab/tester",
               "lease": "2026-12-02 22:00"}]
    server = make_server("127.0.0.1", 0, create_app(url, boards=lambda: boards),
                         threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    where = os.environ.get("KEEL_SCREENSHOT_DIR")
    path = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def visit(browser, site, shots, path, name):
    browser.get(site + path)
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, "title")))
    browser.save_screenshot(str(shots / f"{name}.png"))
    return browser.find_element(By.TAG_NAME, "body").text


def test_the_matrix_shows_commits_by_suite_and_place(browser, site, shots):
    text = visit(browser, site, shots, "/", "matrix")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#matrix tr")]
    assert rows[0].split() == ["commit", "boot", "qemu-virt", "boot", "vboard-1",
                               "smp_stress", "qemu-virt"]
    assert rows[1].split() == ["bbb2222", "1/1", "1/2", "1/1"]  # newest first
    assert rows[2].split() == ["aaa1111", "1/1", "1/1"]
    assert "Commits × suites × places" in text


def test_a_test_history_has_its_crash_signature_and_console_log(browser, site, shots):
    text = visit(browser, site, shots, "/test?name=test_panic::test_sometimes", "test")
    assert "KEEL PANIC: page fault in kernel in vm_fault" in text  # the group
    assert "#1 trap_handler at trap.c:140" in text  # symbolized frames
    history = browser.find_elements(By.CSS_SELECTOR, "#history tr")
    assert len(history) == 1 + 5
    browser.find_element(By.LINK_TEXT, "log").click()
    WebDriverWait(browser, 30).until(lambda d: PANIC in d.page_source)


def test_flaky_tests_show_their_intervals(browser, site, shots):
    visit(browser, site, shots, "/flaky", "flaky")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#flaky tr")]
    assert rows[1:] == ["test_panic::test_sometimes vboard-1 bbb2222 1/2 0.09–0.91"]
    browser.find_element(By.LINK_TEXT, "test_panic::test_sometimes").click()
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, "history")))


def test_trends_draw_plotly_charts_offline(browser, site, shots):
    visit(browser, site, shots, "/trends", "trends")
    WebDriverWait(browser, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) == 2)
    legend = browser.find_element(By.ID, "bench").text
    assert "ipc_roundtrip" in legend
    assert "harts_online" in browser.find_element(By.ID, "stage").text


def test_campaigns_show_progress(browser, site, shots):
    visit(browser, site, shots, "/campaigns", "campaigns")
    rows = [" ".join(r.text.split())
            for r in browser.find_elements(By.CSS_SELECTOR, "#campaigns tr")]
    assert rows[1].startswith("2 smp_stress qemu-virt running 10% 1/10 1 (100.0%)"), rows
    assert rows[2].startswith("1 boot qemu-virt,vboard-1 done 100% 5/4 4 (80.0%)"), rows
    # the triages of the campaign's failed board run, beside it; none beside the other
    assert rows[2].endswith("run 4 on vboard-1: flaky run 4 on vboard-1: board fault"), rows
    assert " on vboard-1: " not in rows[1], rows


def test_bisections_name_the_first_bad_commit(browser, site, shots):
    text = visit(browser, site, shots, "/bisections", "bisections")
    assert "first bad commit bbb2222 (confidence 0.975)" in text
    assert "bbb2222 bad bad 5/17 0 1.000" in text


def test_boards_show_health_holder_lease_and_last_triage(browser, site, shots):
    visit(browser, site, shots, "/boards", "boards")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#boards tr")]
    assert rows[1:] == ["vboard-1 vboard bad - - board fault at bbb2222",
                        "vboard-2 vboard ok lab/tester 2026-12-02 22:00 -"]


def test_the_pages_as_static_files_work_from_disk(browser, tmp_path, shots):
    """`farm report`'s copy of the dashboard: every link points at a file beside the
    page (or at the console log), and the charts draw from file:// without a server."""
    from keelfarm.results.web.static import export, test_file
    log = tmp_path / "logs" / "console.log"
    log.parent.mkdir()
    log.write_text(f"{PANIC}\n")
    url = str(tmp_path / "r.db")
    with ResultsDB(url) as db:
        fill(db, log)
    out = tmp_path / "report"
    written = {p.name for p in export(url, out)}
    assert {"matrix.html", "flaky.html", "trends.html", "campaigns.html", "bisections.html",
            test_file("test_panic::test_sometimes")} <= written
    for page in written:
        html = (out / page).read_text()
        assert 'href="/' not in html and 'src="/' not in html, page
        assert "http-equiv" not in html, page
        for target in re.findall(r'(?:href|src)="([^"#]+)"', html):
            assert (out / target).exists(), (page, target)
    assert f'href="{test_file("test_panic::test_sometimes")}"' in (out / "flaky.html").read_text()
    assert 'href="../logs/console.log"' in (out / test_file("test_panic::test_sometimes")) \
        .read_text()
    browser.get((out / "trends.html").as_uri())
    WebDriverWait(browser, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) == 2)
    browser.save_screenshot(str(shots / "report-trends.png"))
