"""KeelBootProtocol: how a test boots Keel, whatever the target is.

The three strategies — QEMU with OpenSBI (KeelQEMUStrategy), QEMU through U-Boot and
TFTP (KeelQEMUUBootStrategy), a board or vboard through its PDU, serial and U-Boot
(UnmatchedStrategy) — move a target through labgrid states, and under that they offer
the same steps, which the pytest plugin calls to boot, wait and read the console.  This
class is that contract, as labgrid's protocols (PowerProtocol, ConsoleProtocol) are
for drivers: a strategy that leaves a step out cannot be instantiated, and tests/ runs
on any target whose strategy implements it.

A boot's outcome is told to listeners (``boot_listeners``: called with None for a boot
that reached Keel, or the BootError that stopped it) instead of being acted on: the
strategy does not know about board health or the coordinator; the pytest plugin
listens and keeps a farm board's health (boothealth.py), `farm boot` does its own.
"""

from __future__ import annotations

import abc


class KeelBootProtocol(abc.ABC):
    @abc.abstractmethod
    def configure(self, *, smp: int | None = None, append: str | None = None,
                  log_path=None, deterministic: bool = False, reboots: bool = False) -> None:
        """Choose the next boot: hart count, kernel command line, console log, whether
        the guest's clock is its instruction count (where the target can), and whether
        a reset the kernel asks for (a reboot) starts the next boot — a board always
        does; a QEMU target ends at a guest reset unless asked, so that a kernel that
        resets instead of powering off ends its run."""

    @abc.abstractmethod
    def power_on(self):
        """Start the target and the kernel; returns the boot's ConsoleRecorder without
        waiting for Keel."""

    @abc.abstractmethod
    def wait_online(self, timeout: float | None = None):
        """Read the console until Keel's banner and all harts online (BootError if not);
        returns the recorder."""

    @abc.abstractmethod
    def wait_exit(self, timeout: float, until=None) -> int | None:
        """Read the console until the target stops by itself (its exit status), `until()`
        holds, or `timeout` passes (None)."""

    @abc.abstractmethod
    def power_off(self) -> None:
        """Stop the target; the last boot's recorder is kept."""

    @abc.abstractmethod
    def reset_disk(self) -> None:
        """Power off, and start the board's disk again from the image it was built from
        (ExecutionError where the farm cannot: a physical board's disk, or no disk)."""

    @abc.abstractmethod
    def boot_again(self, timeout: float | None = None):
        """The kernel has reset the machine (`keel: rebooting`): follow it into the next
        boot of the same configuration until Keel is online again (BootError if not);
        the recorder's `boot` is the new boot's from here on.  Returns the recorder."""

    @property
    @abc.abstractmethod
    def stages(self) -> dict[str, float]:
        """Seconds from power-on to each boot stage the last boot reached."""

    def add_boot_listener(self, listener) -> None:
        """Call `listener(error)` after each boot: None when it reached Keel, else the
        BootError that stopped it."""
        listeners = self.__dict__.setdefault("_boot_listeners", [])
        if listener not in listeners:
            listeners.append(listener)

    def tell_boot(self, error) -> None:
        for listener in self.__dict__.get("_boot_listeners", []):
            listener(error)
