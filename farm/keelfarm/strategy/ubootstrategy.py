"""UnmatchedStrategy: a HiFive Unmatched (or a vboard) from power-off to a running Keel.

    off     outlet off
    uboot   power-cycle, interrupt autoboot, U-Boot prompt (network set up by the U-Boot
            driver's init_commands, e.g. DHCP)
    booted  stage the image into the TFTP directory, ``tftpboot``, ``booti``, then the
            Keel banner and ``keel: all harts online``
    shell   a login shell (comes when Keel has a login)

Every power-on attaches a console.ConsoleRecorder to the console, so the stage times
(OpenSBI banner, U-Boot prompt, TFTP done, Keel banner, all harts online) are measured
from the moment the outlet switched on, whoever reads the console; ``stages`` has them,
also after a transition that failed, and ``recorder`` has the whole console.
"""

from __future__ import annotations

import contextlib
import enum
import os
import time

import attr
from labgrid.factory import target_factory
from labgrid.strategy.common import Strategy, StrategyError, never_retry
from pexpect import TIMEOUT

from ..console import ConsoleRecorder
from ..errors import BootError


class Status(enum.Enum):
    unknown = 0
    off = 1
    uboot = 2
    booted = 3
    shell = 4


@target_factory.reg_driver
@attr.s(eq=False)
class UnmatchedStrategy(Strategy):
    """Drives power, console, U-Boot and TFTP staging; ``image`` (or the environment's
    ``images: kernel``) is what ``booted`` boots.  ``log_dir``, if set, receives one
    console log per power-on."""

    bindings = {
        "power": "PowerProtocol",
        "console": "ConsoleProtocol",
        "uboot": "UBootDriver",
        "tftp": "TFTPProviderDriver",
    }

    status = attr.ib(default=Status.unknown)
    image = attr.ib(default=None)
    log_dir = attr.ib(default=None)
    off_time = attr.ib(default=2.0, converter=float)
    tftp_timeout = attr.ib(default=60.0, converter=float)
    banner_timeout = attr.ib(default=30.0, converter=float)
    online_timeout = attr.ib(default=30.0, converter=float)
    clock = attr.ib(default=time.monotonic, repr=False)
    sleep = attr.ib(default=time.sleep, repr=False)

    def __attrs_post_init__(self):
        super().__attrs_post_init__()
        self.recorder: ConsoleRecorder | None = None
        self.boots = 0

    @property
    def stages(self) -> dict[str, float]:
        """Seconds from power-on to each stage seen in the last boot."""
        return dict(self.recorder.boot.stages) if self.recorder else {}

    @property
    def banner(self):
        """The Keel banner of the last boot (console.Banner), or None."""
        return self.recorder.boot.banner if self.recorder else None

    @never_retry
    def transition(self, status):
        if not isinstance(status, Status):
            status = Status[status]
        if status == Status.unknown:
            raise StrategyError(f"can not transition to {status}")
        if status == self.status:
            return
        if status == Status.off:
            self._off()
        elif status == Status.uboot:
            self._uboot()
        elif status == Status.booted:
            if self.status != Status.uboot:
                self.transition(Status.uboot)
            self._boot()
        else:
            raise StrategyError(f"no transition to {status.name}: Keel has no login yet")
        self.status = status

    @never_retry
    def force(self, status):
        if not isinstance(status, Status):
            status = Status[status]
        if status == Status.off:
            self.target.activate(self.power)
        elif status == Status.uboot:
            self.target.activate(self.uboot)
        elif status == Status.booted:
            self.target.activate(self.console)
        else:
            raise StrategyError(f"can not force state {status.name}")
        self.status = status

    # -- steps ---------------------------------------------------------------------------

    def _off(self) -> None:
        self.target.deactivate(self.uboot)
        self.target.activate(self.power)
        self.power.off()
        self._stop_recording()

    def _uboot(self) -> None:
        self._off()
        self.target.activate(self.console)
        self.sleep(self.off_time)
        self._drain()
        self.boots += 1
        self.recorder = ConsoleRecorder(self._log_path(), clock=self.clock)
        self.recorder.attach(self.console)
        self.power.on()
        try:
            self.target.activate(self.uboot)
        except TIMEOUT:
            raise BootError("uboot", f"board did not reach the U-Boot prompt within "
                                     f"{self.uboot.login_timeout} s of power-on") from None
        self.recorder.mark("uboot_prompt")

    def _boot(self) -> None:
        path = self.tftp_path()
        self.target.activate(self.tftp)
        staged = self.tftp.stage(path)
        _, _, code = self.uboot.run(f"tftpboot ${{kernel_addr_r}} {staged}",
                                    timeout=int(self.tftp_timeout))
        if code != 0:
            raise BootError("tftp", f"U-Boot could not load {staged} by TFTP (exit {code})")
        self.recorder.mark("tftp_done")
        self.uboot.boot("")
        self.target.deactivate(self.uboot)  # U-Boot is gone once booti jumps
        boot = self.recorder.boot
        self._wait(lambda: boot.banner is not None, self.banner_timeout, "banner",
                   f"no Keel banner within {self.banner_timeout:.0f} s of booti")
        self._wait(lambda: boot.online, self.online_timeout, "online",
                   f"Keel did not report all harts online within "
                   f"{self.online_timeout:.0f} s of its banner")

    # -- helpers -------------------------------------------------------------------------

    def tftp_path(self) -> str:
        """The image to boot: ``image`` if set, else the environment's ``kernel`` image."""
        if self.image:
            return str(self.image)
        env = self.target.env
        try:
            if env is None:
                raise KeyError("kernel")
            return env.config.get_image_path("kernel")
        except KeyError:
            raise BootError("tftp", "no image to boot: pass one or set images: kernel in "
                                    "the environment") from None

    def _wait(self, done, timeout: float, stage: str, message: str) -> None:
        """Read the console (the recorder parses it) until ``done()`` or a panic.

        Reads ask for one byte and get all that is waiting, so a stage is timed when its
        line arrives, not when a large read fills up."""
        boot = self.recorder.boot
        deadline = self.clock() + timeout
        while not done() and boot.panic is None:
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise BootError(stage, message)
            with contextlib.suppress(TIMEOUT):
                self.console.read(size=1, timeout=min(remaining, 0.5))
        if boot.panic is not None:
            raise BootError("panic", boot.panic.signature)

    def _drain(self) -> None:
        """Forget console output from before this power-on."""
        self.console.settle(0.2, timeout=3.0)
        expect = getattr(self.console, "_expect", None)
        if expect is not None:
            expect.buffer = b""

    def _log_path(self) -> str | None:
        if not self.log_dir:
            return None
        return os.path.join(self.log_dir, f"{self.target.name}-boot{self.boots}.log")

    def _stop_recording(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
