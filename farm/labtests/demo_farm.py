"""The demo farm (docker/compose.yaml) driven from this host as its users drive it: the
places of two exporter containers on one coordinator container, a vboard reserved,
booted and released, an expired lease freed by the coordinator container's sweeper with
no farm command running, a campaign across all four vboards stored in the demo's
PostgreSQL, and the dashboard container showing that campaign and the boards.

Not collected by `pytest farm` (the name does not start with test_): docker/demo-test.sh
(`make docker`) brings the demo up on ports of its own, runs this file in a container
of the build image on the host's network with KEEL_DEMO_COORDINATOR, KEEL_DEMO_DB and
KEEL_DEMO_WEB set, and brings the demo down.  It boots the tree's build/os (there, the
build `make docker` made).  Screenshots of the dashboard go to $KEEL_SCREENSHOT_DIR.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from labenv import QUIET_CONSOLE, need

from keelfarm.remote import Coordinator
from keelfarm.results.resultsdb import ResultsDB, utcnow

TOP = Path(__file__).resolve().parents[2]
BOARDS = ["vboard-1", "vboard-2", "vboard-3", "vboard-4"]
EXPORTERS = {"keel-demo-a": {"vboard-1", "vboard-2"}, "keel-demo-b": {"vboard-3", "vboard-4"}}
DRIVER = "docker/demo-test.sh"  # what brings the demo up and runs this file
COME_UP = 180.0  # seconds for the exporters to register their boards after compose up

pytestmark = QUIET_CONSOLE


@pytest.fixture(scope="module")
def demo() -> dict:
    return {"address": need("KEEL_DEMO_COORDINATOR", DRIVER), "db": need("KEEL_DEMO_DB", DRIVER),
            "web": need("KEEL_DEMO_WEB", DRIVER)}


def farm(demo: dict, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """The farm CLI as a user runs it against the demo's coordinator, from the tree."""
    proc = subprocess.run([sys.executable, "-m", "keelfarm.cli.main", "-c", demo["address"],
                           *args], cwd=TOP, capture_output=True, text=True, timeout=timeout)
    print(proc.stdout + proc.stderr)
    return proc


def board_lines(text: str) -> dict[str, list[str]]:
    """`farm boards` output: place -> its columns."""
    return {cols[0]: cols for cols in (line.split() for line in text.splitlines()[1:]) if cols}


@pytest.fixture(scope="module")
def up(demo) -> dict:
    """The demo once both exporters have registered their boards with the coordinator."""
    deadline = time.monotonic() + COME_UP
    while True:
        proc = farm(demo, "boards", timeout=60)
        if proc.returncode == 0 and set(board_lines(proc.stdout)) >= set(BOARDS):
            return demo
        if time.monotonic() > deadline:
            pytest.fail(f"the demo's four vboards did not come up in {COME_UP:.0f} s: "
                        f"{proc.stdout}{proc.stderr}", pytrace=False)
        time.sleep(3)


def test_four_vboards_behind_two_exporters_are_free_and_healthy(up):
    proc = farm(up, "boards")
    assert proc.returncode == 0
    lines = board_lines(proc.stdout)
    assert proc.stdout.splitlines()[0].split() == ["PLACE", "BOARD", "STATE", "HOLDER",
                                                   "LEASE", "HEALTH"]
    assert sorted(lines) == BOARDS
    for place in BOARDS:
        assert lines[place] == [place, "vboard", "free", "-", "-", "ok"], lines[place]
    coord = Coordinator.connect(up["address"])
    try:
        coord.sync()
        exported = {name: set(groups) for name, groups in coord.resources().items()}
    finally:
        coord.close()
    assert {name: exported.get(name) for name in EXPORTERS} == EXPORTERS, exported


def test_a_vboard_is_reserved_booted_and_released(up, tmp_path):
    proc = farm(up, "reserve", "--board", "vboard", "--wait", "--timeout", "5m",
                "--lease", "20m")
    assert proc.returncode == 0
    place = next(line.split()[1] for line in proc.stdout.splitlines()
                 if line.startswith("reserved "))
    try:
        proc = farm(up, "boot", place, "--image", "build/os/Image", "--log-dir",
                    str(tmp_path))
        assert proc.returncode == 0
        assert f"{place}: booted build/os/Image" in proc.stdout
        assert "Keel 0.1.0 (" in proc.stdout and "U-Boot prompt" in proc.stdout
        assert "4 harts" in proc.stdout
    finally:
        released = farm(up, "release", place)
    assert released.returncode == 0 and f"released {place}" in released.stdout
    assert board_lines(farm(up, "boards").stdout)[place][2] == "free"


def test_the_coordinator_container_frees_an_expired_lease_with_no_farm_command(up):
    """Every farm command sweeps, so only the coordinator's own client is asked here:
    what frees the place is the sweeper in the coordinator container."""
    proc = farm(up, "reserve", "--place", "vboard-4", "--lease", "3s")
    assert proc.returncode == 0 and "reserved vboard-4" in proc.stdout
    coord = Coordinator.connect(up["address"])
    try:
        assert coord.place("vboard-4").acquired
        deadline = time.monotonic() + 30
        while coord.place("vboard-4").acquired and time.monotonic() < deadline:
            time.sleep(0.5)
            coord.sync()
        place = coord.place("vboard-4")
        assert place.acquired is None, "the sweeper did not release the expired lease"
        # and it remembers whose lease it was, for that holder's next farm command
        assert place.tags.get("lease_expired", "").partition(":")[2] == coord.identity
    finally:
        coord.close()


@pytest.fixture(scope="module")
def campaign(up, tmp_path_factory) -> tuple[int, subprocess.CompletedProcess]:
    """A campaign of tests/test_boot.py's test_boot (one boot a run) over all four
    vboards, its results in the demo's PostgreSQL: (its id, the farm command)."""
    proc = farm(up, "campaign", "run", "--suite", "boot", "--board", "vboard", "--places", "4",
                "--runs", "8", "--tests", "tests/test_boot.py::test_boot", "--db", up["db"],
                "--out", str(tmp_path_factory.mktemp("campaigns")))
    started = re.search(r"^campaign (\d+): suite 'boot' on ", proc.stdout, re.M)
    assert started, proc.stdout + proc.stderr
    return int(started.group(1)), proc


def test_a_campaign_spreads_over_both_exporters_into_the_demo_s_postgresql(up, campaign):
    campaign_id, proc = campaign
    assert proc.returncode == 0
    reserved = next(line for line in proc.stdout.splitlines()
                    if line.startswith("farm: reserved "))
    assert sorted(reserved.removeprefix("farm: reserved ").split(", ")) == BOARDS
    summary = proc.stdout[proc.stdout.index(f"campaign {campaign_id} done: "):]
    assert summary.startswith(f"campaign {campaign_id} done: 8 runs, 8 passed (100.0%)"), \
        summary
    assert "results in postgresql+psycopg2://keel@" in summary
    for place in BOARDS:
        assert f"\n  {place} " in summary, summary
    with ResultsDB(up["db"]) as db:
        row = db.campaign(campaign_id)
        runs = db.runs(campaign_id)
        results = db.results(campaign_id=campaign_id)
    assert row["status"] == "done" and row["place"] == "board=vboard*4"
    assert sorted(r["seq"] for r in runs) == list(range(1, 9))
    assert {r["place"] for r in runs} == set(BOARDS)  # both exporters' boards ran
    assert all(r["verdict"] == "pass" and r["target"] == "vboard" for r in runs), runs
    assert {r["test"] for r in results} == {"test_boot::test_boot[smp4]"}
    assert all(r["commit"].startswith(runs[0]["commit"][:7]) for r in runs)
    # the boards went back to the pool
    lines = board_lines(farm(up, "boards").stdout)
    assert [lines[p][2] for p in BOARDS] == ["free"] * 4


def test_the_coordinator_container_s_scheduler_starts_its_campaign_when_due(up):
    """docker/demo-test.sh gave the coordinator container a schedule of one campaign
    (test_boot on qemu-virt, once) due at KEEL_DEMO_SCHEDULED (HH:MM, UTC) today: by a
    few minutes after that it has started and finished it, in the container, with its
    result in the demo's PostgreSQL."""
    hour, minute = (int(x) for x in need("KEEL_DEMO_SCHEDULED", DRIVER).split(":"))
    due = utcnow().replace(hour=hour, minute=minute, second=0, microsecond=0)
    if due < utcnow() - dt.timedelta(hours=12):  # given just before midnight
        due += dt.timedelta(days=1)
    deadline = time.monotonic() + max(0.0, (due - utcnow()).total_seconds()) + 300
    while True:
        with ResultsDB(up["db"]) as db:
            found = [c for c in db.campaigns() if c["place"] == "qemu-virt"]
            runs = db.runs(found[0]["id"]) if found else []
        if found and found[0]["status"] == "done" or time.monotonic() > deadline:
            break
        time.sleep(5)
    assert len(found) == 1, f"no scheduled campaign by {due:%H:%M} + 5 min: {found}"
    campaign = found[0]
    assert campaign["suite"] == "boot" and campaign["status"] == "done", campaign
    assert campaign["created"] >= due  # started when due, not when the scheduler started
    assert [(r["seq"], r["place"], r["verdict"]) for r in runs] == [(1, "qemu-virt", "pass")]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as answer:
        assert answer.status == 200
        return answer.read().decode()


def test_the_dashboard_container_shows_the_campaign_and_the_boards(up, campaign, tmp_path):
    campaign_id, _ = campaign
    page = get(up["web"] + "/campaigns")
    row = page[page.index(f"<td>{campaign_id}</td>"):]
    row = row[:row.index("</tr>")]
    assert "<td>board=vboard*4</td>" in row and "<td>done</td>" in row
    assert "<td>8/8</td>" in row and "8 (100.0%)" in row
    boards = get(up["web"] + "/boards")
    for place in BOARDS:
        assert f"<td>{place}</td>" in boards
    matrix = get(up["web"] + "/")
    for place in BOARDS:
        assert place in matrix
    shown = screenshots(up["web"], Path(os.environ.get("KEEL_SCREENSHOT_DIR") or tmp_path))
    assert f"{campaign_id} boot board=vboard*4 done 100% 8/8 8 (100.0%)" in \
        " ".join(shown["demo-campaigns"].split())
    assert all(place in shown["demo-boards"] for place in BOARDS)


def screenshots(site: str, where: Path) -> dict[str, str]:
    """Each dashboard page of the demo as Debian's chromium shows it: a screenshot in
    `where` and the page's text, by name."""
    sys.path.insert(0, str(TOP / "farm" / "tests"))  # the dashboard tests' browser
    from browser import chromium
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait
    where.mkdir(parents=True, exist_ok=True)
    driver = chromium()
    shown = {}
    try:
        for name, path in (("demo-campaigns", "/campaigns"), ("demo-boards", "/boards"),
                           ("demo-matrix", "/"), ("demo-trends", "/trends")):
            driver.get(site + path)
            WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "title")))
            driver.save_screenshot(str(where / f"{name}.png"))
            shown[name] = driver.find_element(By.TAG_NAME, "body").text
    finally:
        driver.quit()
    return shown
