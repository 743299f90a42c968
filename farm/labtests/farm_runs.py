"""`farm ci` and `farm campaign` against a live local lab, on real places: qemu-virt
and the lab's vboards, one of them behind a second exporter that is killed midway.

Not collected by `pytest farm` (the name does not start with test_): the integration
run passes this file explicitly, with LG_COORDINATOR and KEEL_LAB_DIR pointing at a lab
of two vboards (vboard-1 and vboard-2 on its exporter) and KEEL_IMAGE at the tree's
kernel, after `make` built the tree.  A run is `tests/test_boot.py`'s test_boot alone:
a boot per hart count the place reports (one on a vboard).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from labenv import QUIET_CONSOLE, need

from keelfarm import reserve
from keelfarm.lab.lab import Lab, LabSettings, tool
from keelfarm.remote import Coordinator
from keelfarm.results.resultsdb import ResultsDB

TOP = Path(__file__).resolve().parents[2]
ONE_BOOT = ["--tests", "tests/test_boot.py::test_boot"]

pytestmark = QUIET_CONSOLE


@pytest.fixture(scope="module")
def address() -> str:
    need("KEEL_LAB_DIR")
    image = Path(need("KEEL_IMAGE"))
    assert image.is_file(), image
    return need("LG_COORDINATOR")


def farm(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """The farm CLI as a user runs it, from the top of the tree."""
    proc = subprocess.run([sys.executable, "-m", "keelfarm.cli.main", *args], cwd=TOP,
                          capture_output=True, text=True, timeout=timeout)
    print(proc.stdout + proc.stderr)
    return proc


def test_farm_ci_runs_a_commit_on_qemu_virt_and_two_vboards(address, tmp_path):
    """`farm ci HEAD` on qemu-virt and every vboard: the verdict table has a passing
    cell per place, every run is in the database, and the boards are released.  The
    commit is the tree's HEAD, which the integration run has built: the build step
    gives its worktree that build (a build of the OS is make's to test, not the
    farm's)."""
    build = f"mkdir -p build && cp -a {TOP}/build/os build/os"
    db = tmp_path / "ci.db"
    proc = farm("-c", address, "ci", "HEAD", "--suite", "boot", "--place", "qemu-virt",
                "--board", "vboard", *ONE_BOOT, "--build", build, "--db", str(db),
                "--out", str(tmp_path / "ci"))
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout[proc.stdout.index("\nSUITE"):].splitlines()[1:3]
    assert re.fullmatch(r"SUITE\s+qemu-virt\s+vboard-1\s+vboard-2", table[0]), table
    assert re.fullmatch(r"boot(\s+pass (\d+)/\2)(\s+pass (\d+)/\4){2}", table[1]), table
    with ResultsDB(db) as store:
        runs = store.runs()
    assert sorted((r["place"], r["verdict"]) for r in runs) == [
        ("qemu-virt", "pass"), ("vboard-1", "pass"), ("vboard-2", "pass")]
    coord = Coordinator.connect(address)
    try:
        assert [coord.place(n).acquired for n in ("vboard-1", "vboard-2")] == [None, None]
    finally:
        coord.close()


@pytest.fixture
def second_exporter(address, tmp_path):
    """vboard-3 behind an exporter of its own on the lab's coordinator (the demo farm's
    second exporter); its place is deleted again afterwards, so later tests never ask
    for a board whose exporter is gone."""
    port = int(address.rsplit(":", 1)[1])
    lab = Lab(LabSettings(run_dir=str(tmp_path / "lab-b"), boards=1, port=port, first=3,
                          external=True, exporter_name="keel-lab-b"))
    lab.up(say=lambda _m: None)
    try:
        yield lab
    finally:
        lab.down(say=lambda _m: None)
        subprocess.run([tool("labgrid-client"), "-x", address, "-p", "vboard-3", "delete"],
                       capture_output=True, timeout=60)


def vanish(lab: Lab) -> None:
    """The exporter's host goes away: its exporter, ser2net and the vboard with its
    QEMU die at once (each runs in a process group of its own)."""
    for proc in (lab.exporter, lab.vboards):
        pid = proc.pid()
        assert pid is not None, f"{proc.name} of {lab.run_dir} is not running"
        os.killpg(pid, signal.SIGKILL)


def wait_for_run(db: Path, place: str, proc: subprocess.Popen, timeout: float) -> list[dict]:
    """The campaign's stored runs once one ran on `place`."""
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, "the campaign ended early"
        if db.exists():
            with ResultsDB(db) as store:
                runs = store.runs()
            if any(r["place"] == place for r in runs):
                return runs
        assert time.monotonic() < deadline, f"no run on {place} within {timeout:.0f} s"
        time.sleep(1.0)


def test_a_campaign_goes_on_when_an_exporter_vanishes(address, second_exporter, tmp_path):
    """A campaign on qemu-virt, vboard-1 (the lab's exporter) and vboard-3 (a second
    exporter): during vboard-3's second run its exporter dies outright.  What was
    stored stays as it was, vboard-3 drops out after its broken runs, and the other two
    places run the rest of the campaign."""
    coord = Coordinator.connect(address)
    held = []
    try:
        for name in ("vboard-1", "vboard-3"):
            held.append(reserve.reserve(coord, place=name, duration=1800, wait=True,
                                        timeout=300, say=lambda _m: None).place)
        db = tmp_path / "campaign.db"
        runs_wanted = 9
        argv = [sys.executable, "-m", "keelfarm.cli.main", "-c", address, "campaign", "run",
                "--suite", "boot", "--place", "qemu-virt", "--place", "vboard-1",
                "--place", "vboard-3", "--runs", str(runs_wanted), *ONE_BOOT,
                "--run-timeout", "300", "--db", str(db), "--out", str(tmp_path / "campaigns")]
        proc = subprocess.Popen(argv, cwd=TOP, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            before = wait_for_run(db, "vboard-3", proc, timeout=600)
            time.sleep(8)  # into vboard-3's next run: U-Boot, TFTP or the boot
            vanish(second_exporter)
            out, _ = proc.communicate(timeout=1800)
        finally:
            if proc.poll() is None:
                proc.kill()
        print(out)
        assert proc.returncode == 0, out
        with ResultsDB(db) as store:
            runs = store.runs()
            status = store.campaign(runs[0]["campaign_id"])["status"]
    finally:
        for name in held:
            reserve.release(coord, name, time.time())
        coord.close()
    assert status == "done"
    assert sorted(r["seq"] for r in runs) == list(range(1, runs_wanted + 1)), out
    by_id = {r["id"]: r for r in runs}
    for r in before:  # nothing stored before the exporter died was lost or changed
        assert by_id[r["id"]]["verdict"] == r["verdict"]
    gone = [r["verdict"] for r in runs if r["place"] == "vboard-3"]
    assert gone[0] == "pass", out
    assert gone[-2:] == ["broken", "broken"], out
    assert "vboard-3: 2 broken runs in a row; going on with qemu-virt, vboard-1" in out
    others = [r["verdict"] for r in runs if r["place"] != "vboard-3"]
    assert others == ["pass"] * len(others), out
    assert re.search(r"^  vboard-3 .*\(left: 2 broken runs", out, re.MULTILINE), out
