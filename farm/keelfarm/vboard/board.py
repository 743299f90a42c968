"""A virtual board: one power outlet, one serial line, one machine.

Power requests come from the PDU's HTTP threads, but QEMU is always started and stopped
by the board's own power thread: the machine is tied to the life of the thread that
started it (see machine._dying_with_parent), and that thread lives as long as the board.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass

from .machine import Machine

POWER_TIMEOUT = 10.0


class PowerError(Exception):
    """A power request did not complete."""


class DiskError(Exception):
    """The disk could not be reset (the board is on, has no disk, or the copy failed);
    ``missing`` when there is no disk at all."""

    def __init__(self, message: str, missing: bool = False):
        super().__init__(message)
        self.missing = missing


@dataclass
class _Request:
    on: bool | None                     # None: reset the disk
    done: threading.Event
    error: DiskError | None = None


class VBoard:
    """Owns a Machine and a SerialLine; ``set_power`` and ``power`` are thread-safe."""

    def __init__(self, name: str, machine: Machine, serial, power_timeout: float = POWER_TIMEOUT):
        self.name = name
        self.machine = machine
        self.serial = serial
        self.power_timeout = power_timeout
        self.log = logging.getLogger(f"vboard.{name}")
        self._powered = False  # written only by the power thread
        self._requests: queue.Queue[_Request | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=f"power:{name}", daemon=True)
        self.boots = 0  # power-on count, written only by the power thread
        self.disk_resets = 0  # written only by the power thread

    def start(self) -> None:
        self.serial.start()
        self._thread.start()

    @property
    def power(self) -> bool:
        """The outlet state (what a PDU reports), not whether QEMU is alive."""
        return self._powered

    def set_power(self, on: bool) -> None:
        """Switch the outlet and wait for the machine to follow (bounded)."""
        req = _Request(on, threading.Event())
        self._requests.put(req)
        if not req.done.wait(self.power_timeout):
            raise PowerError(f"{self.name}: power {'on' if on else 'off'} did not complete "
                             f"within {self.power_timeout:.0f} s")

    def reset_disk(self) -> None:
        """Make the board's disk a fresh copy of its image, on the power thread (so no
        power-on can start the machine meanwhile).  DiskError if the board is on, has no
        disk, or the copy failed; PowerError if the request did not complete in time."""
        req = _Request(None, threading.Event())
        self._requests.put(req)
        if not req.done.wait(self.power_timeout * 6):
            raise PowerError(f"{self.name}: the disk reset did not complete within "
                             f"{self.power_timeout * 6:.0f} s")
        if req.error:
            raise req.error

    def status(self) -> dict:
        """What the board looks like from outside, for `farm boards` and debugging."""
        rc = self.machine.exit_status()
        if not self._powered:
            machine = "off"
        elif self.machine.last_error:
            machine = self.machine.last_error
        elif rc is not None:
            machine = f"exited with status {rc}"
        else:
            machine = "running"
        return {"name": self.name, "power": self._powered, "machine": machine,
                "pid": self.machine.pid, "serial": self.serial.path, "boots": self.boots,
                "disk": self.machine.disk, "disk_resets": self.disk_resets}

    def close(self) -> None:
        """Power off and stop the threads; the machine never outlives this call."""
        self._requests.put(None)
        self._thread.join(timeout=self.power_timeout)
        self.machine.stop()
        self.serial.close()

    # -- power thread --------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            req = self._requests.get()
            if req is None:
                self._switch(False)
                return
            try:
                if req.on is None:
                    req.error = self._reset_disk()
                else:
                    self._switch(req.on)
            finally:
                req.done.set()

    def _reset_disk(self) -> DiskError | None:
        if self.machine.disk is None:
            return DiskError(f"{self.name} has no disk", missing=True)
        if self._powered:
            return DiskError(f"{self.name} is on: power it off before its disk is reset")
        try:
            self.machine.reset_disk()
        except OSError as e:
            return DiskError(f"{self.name}: cannot reset the disk: {e}")
        self.disk_resets += 1
        self.log.info("disk reset from %s", self.machine.config.nvme)
        return None

    def _switch(self, on: bool) -> None:
        if on == self._powered:
            return
        if on:
            self.serial.flush()
            self.boots += 1
            if not self.machine.start():
                self.log.error("%s", self.machine.last_error)
            self._powered = True
            self.log.info("power on (boot %d, pid %s)", self.boots, self.machine.pid)
        else:
            self.machine.stop()
            self._powered = False
            self.log.info("power off")
