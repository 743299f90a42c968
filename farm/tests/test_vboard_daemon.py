"""The vboard daemon publishes each board's PDU and serial port and cleans up."""

import json
import os
import urllib.request
from pathlib import Path

from keelfarm.vboard.daemon import BoardSpec, Daemon, read_state
from keelfarm.vboard.machine import MachineConfig


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


def test_daemon_publishes_boards_and_removes_them(tmp_path):
    run = str(tmp_path / "run")
    cfg = MachineConfig(tftp_root=str(tmp_path), qemu=str(tmp_path / "no-qemu"))
    d = Daemon([BoardSpec("vb-1"), BoardSpec("vb-2")], run, cfg)
    d.start()
    try:
        states = [read_state(run, n) for n in ("vb-1", "vb-2")]
        assert all(states)
        assert states[0]["pdu"] != states[1]["pdu"]
        assert states[0]["serial"].startswith("/dev/pts/")
        assert states[0]["pid"] == os.getpid()
        pdu = states[0]["pdu"]
        assert get(pdu.format(index=0, value=1)) == "1"
        status = json.loads(get(pdu.split("/relay/")[0] + "/"))
        assert status["power"] is True
        assert status["machine"].startswith("cannot start")
        assert get(pdu.format(index=0, value="").rstrip("/")) == "1"
    finally:
        d.stop()
    assert read_state(run, "vb-1") is None
    assert not os.path.exists(os.path.join(run, "vb-1.uart"))


def test_read_state_of_a_missing_or_torn_file(tmp_path):
    assert read_state(str(tmp_path), "x") is None
    (tmp_path / "x.json").write_text("{")
    assert read_state(str(tmp_path), "x") is None


def test_each_board_gets_a_disk_of_its_own(tmp_path):
    run = str(tmp_path / "run")
    image = tmp_path / "disk.img"
    image.write_bytes(b"K" * 4096)
    cfg = MachineConfig(tftp_root=str(tmp_path), qemu=str(tmp_path / "no-qemu"), nvme=str(image))
    d = Daemon([BoardSpec("vb-1"), BoardSpec("vb-2")], run, cfg)
    d.start()
    try:
        disks = [read_state(run, n)["disk"] for n in ("vb-1", "vb-2")]
        assert disks[0] != disks[1] and str(image) not in disks
        assert all(Path(p).read_bytes() == b"K" * 4096 for p in disks)
        with open(disks[0], "wb") as f:
            f.write(b"changed")
        reset = read_state(run, "vb-1")["pdu"].split("/relay/")[0] + "/disk/reset"
        with urllib.request.urlopen(urllib.request.Request(reset, method="POST"), timeout=5) as r:
            assert r.read() == b"reset\n"
        assert Path(disks[0]).read_bytes() == b"K" * 4096
    finally:
        d.stop()
    assert not any(os.path.exists(p) for p in disks)
