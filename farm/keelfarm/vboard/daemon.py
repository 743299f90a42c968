"""`farm vboard`: run one or more virtual boards until told to stop.

For every board the daemon publishes ``<run_dir>/<name>.json`` once the board is ready:
its PDU URL (a labgrid NetworkPowerPort ``host``), its serial pty (a labgrid
RawSerialPort ``port``) and the daemon's pid.  That file is what the lab reads to write
the exporter configuration.  SIGTERM or SIGINT powers every board off and removes the
files; a daemon killed outright takes its machines with it (see machine.py).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
from dataclasses import dataclass

from .board import VBoard
from .machine import Machine, MachineConfig
from .pdu import PduServer
from .serial import SerialLine

log = logging.getLogger("vboard")


@dataclass
class BoardSpec:
    name: str
    port: int = 0  # PDU port; 0 picks a free one


def state_path(run_dir: str, name: str) -> str:
    return os.path.join(run_dir, f"{name}.json")


def read_state(run_dir: str, name: str) -> dict | None:
    """The published state of board ``name``, or None if it is not up."""
    try:
        with open(state_path(run_dir, name)) as f:
            return json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _write_state(run_dir: str, name: str, state: dict) -> None:
    path = state_path(run_dir, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=1)
    os.replace(tmp, path)


class Daemon:
    """Boards plus their PDUs.  ``start()`` brings all up, ``stop()`` takes all down."""

    def __init__(self, specs: list[BoardSpec], run_dir: str, config: MachineConfig,
                 host: str = "127.0.0.1"):
        self.specs = specs
        self.run_dir = run_dir
        self.config = config
        self.host = host
        self.boards: list[VBoard] = []
        self.pdus: list[PduServer] = []

    def start(self) -> None:
        os.makedirs(self.run_dir, exist_ok=True)
        try:
            for spec in self.specs:
                self._start_board(spec)
        except Exception:
            self.stop()
            raise

    def _start_board(self, spec: BoardSpec) -> None:
        sock = os.path.join(self.run_dir, f"{spec.name}.uart")
        qlog = os.path.join(self.run_dir, f"{spec.name}.qemu.log")
        serial = SerialLine(sock)
        disk = os.path.join(self.run_dir, f"{spec.name}.disk")
        machine = Machine(self.config, sock, qlog, disk=disk)
        if machine.disk:
            machine.reset_disk()            # each board starts with the image as built
        board = VBoard(spec.name, machine, serial)
        self.boards.append(board)
        board.start()
        try:
            pdu = PduServer(board, self.host, spec.port, log=board.log)
        except OSError as e:
            raise OSError(e.errno, f"PDU port {self.host}:{spec.port} for {spec.name}: "
                                   f"{e.strerror}") from e
        self.pdus.append(pdu)
        pdu.start()
        _write_state(self.run_dir, spec.name, {
            "name": spec.name, "pdu": pdu.url(), "serial": serial.path,
            "pid": os.getpid(), "qemu_log": qlog, "tftp_root": self.config.tftp_root,
            "disk": machine.disk,
        })
        log.info("%s: PDU %s, serial %s", spec.name, pdu.url(), serial.path)

    def stop(self) -> None:
        for pdu in self.pdus:
            pdu.stop()
        for board in self.boards:
            board.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(state_path(self.run_dir, board.name))
            if board.machine.disk:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(board.machine.disk)
        self.pdus.clear()
        self.boards.clear()

    def serve(self) -> None:
        """Run until SIGTERM/SIGINT (main thread only)."""
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.start()
        try:
            while not stop.wait(0.5):
                pass
        finally:
            self.stop()
