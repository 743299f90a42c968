"""UnmatchedStrategy: a HiFive Unmatched (or a vboard) from power-off to a running Keel.

    off     outlet off
    uboot   power-cycle, interrupt autoboot, U-Boot prompt (network set up by the U-Boot
            driver's init_commands, e.g. DHCP)
    booted  stage the kernel (and the boot image, if there is one) into the TFTP
            directory, ``tftpboot`` each, ``booti``, then the Keel banner and
            ``keel: all harts online``
    shell   booted without ``init=``, logged in on the console through the
            environment's ShellDriver (login.py)

The boot image (``initrd``: the environment's ``images: initrd`` unless given) goes to
``${ramdisk_addr_r}`` after the kernel, and U-Boot boots the UBootDriver's boot command
named ``initrd`` (``booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ...``):
``${filesize}`` is the size of the last file loaded, so the boot image must be the last,
and given a ramdisk ``booti`` writes ``linux,initrd-start``/``-end`` into the device
tree's /chosen, which is where Keel finds it.

Every power-on attaches a console.ConsoleRecorder to the console, so the stage times
(OpenSBI banner, U-Boot prompt, TFTP done, Keel banner, all harts online) are measured
from the moment the outlet switched on, whoever reads the console; ``stages`` has them,
also after a transition that failed, and ``recorder`` has the whole console.

The boot-suite interface is KeelBootProtocol, as the QEMU strategies' (``configure``,
``power_on``, ``wait_online``, ``wait_exit``, ``power_off``), so tests/ runs unchanged on
a board.  Each boot's outcome goes to the protocol's listeners; board health is kept by
whoever listens (the pytest plugin on a farm place), not here.  What differs is
physical: a board has a fixed number of harts, the kernel command line goes through
U-Boot's ``bootargs``, and a board does not "exit" — the kernel's ``keel: powering
off`` line is its exit (status 0).
"""

from __future__ import annotations

import contextlib
import enum
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import attr
from labgrid.driver.exception import ExecutionError
from labgrid.factory import target_factory
from labgrid.step import step
from labgrid.strategy.common import Strategy, StrategyError
from pexpect import TIMEOUT

from ..console import ConsoleRecorder
from ..errors import BootError
from ..protocol import KeelBootProtocol
from .bootargs import bootargs_commands
from .login import check_shell_config, log_in

ANYTHING = re.compile(rb"(?s).+")


class Status(enum.Enum):
    unknown = 0
    off = 1
    uboot = 2
    booted = 3
    shell = 4


DISK_RESET_TIMEOUT = 120.0  # seconds: the lab copies a whole disk image


def disk_reset_url(pdu: str) -> str:
    """The lab's disk reset beside a vboard PDU, from the NetworkPowerPort ``host`` (a URL
    template such as ``http://127.0.0.1:PORT/relay/{index}/{value}``)."""
    parts = urllib.parse.urlsplit(pdu)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/disk/reset", "", ""))


@target_factory.reg_driver
@attr.s(eq=False)
class UnmatchedStrategy(Strategy, KeelBootProtocol):
    """Drives power, console, U-Boot and TFTP staging.

    Args:
        image: kernel to boot (default: the environment's ``images: kernel``)
        initrd: boot image loaded beside it (default: the environment's ``images:
            initrd`` if it names one; "" boots the kernel alone)
        harts: how many harts the board has (the only ``smp`` it can boot with)
        off_time: seconds the outlet stays off in a power cycle
        tftp_timeout, banner_timeout, online_timeout: seconds for each step
    """

    bindings = {
        "power": "PowerProtocol",
        "console": "ConsoleProtocol",
        "uboot": "UBootDriver",
        "tftp": "TFTPProviderDriver",
        "shell": {"ShellDriver", None},
    }
    states = Status

    status = attr.ib(default=Status.unknown)
    image = attr.ib(default=None)
    initrd = attr.ib(default=None)
    harts = attr.ib(default=4, converter=int)
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
        self.default_smp = self.harts
        self.smp = self.harts
        self.default_append = ""
        self.append = ""
        self.log_path = None
        self._running_config = None
        self._reboots_followed = 0

    # -- what the last boot showed -------------------------------------------------------

    @property
    def stages(self) -> dict[str, float]:
        """Seconds from power-on to each stage seen in the last boot."""
        return dict(self.recorder.boot.stages) if self.recorder else {}

    @property
    def banner(self):
        """The Keel banner of the last boot (console.Banner), or None."""
        return self.recorder.boot.banner if self.recorder else None

    # -- labgrid strategy ----------------------------------------------------------------

    def configure(self, *, smp: int | None = None, append: str | None = None,
                  log_path=None, deterministic: bool = False, reboots: bool = False) -> None:
        """Choose the next boot's kernel command line and console log.  ``smp`` may only
        be the board's own hart count.  A board cannot be `deterministic`: its counts are
        the hardware's, accepted as they come.  A board always `reboots` when its kernel
        resets it: the flag changes nothing here."""
        if smp is not None and smp != self.harts:
            raise StrategyError(f"this board has {self.harts} harts; it cannot boot "
                                f"with {smp}")
        self.smp = self.harts
        self.append = self.default_append if append is None else append
        self.log_path = log_path

    @step(args=["status"])
    def transition(self, status, *, step):
        if not isinstance(status, Status):
            status = Status[status]
        if status == Status.unknown:
            raise StrategyError(f"can not transition to {status}")
        running = (Status.booted, Status.shell)
        if status == self.status and (status not in running
                                      or self._running_config == self._config()):
            step.skip("nothing to do")
            return
        if status == Status.shell:
            check_shell_config(self, self.append)
            if self.status in running and self._running_config == self._config():
                self._log_in()
                return
        try:
            if status == Status.off:
                self.power_off()
            elif status == Status.uboot:
                self._uboot()
            else:
                self.power_on()
                self.wait_online()
        except BaseException as e:
            self.status = Status.unknown  # the next transition starts from power-off
            if isinstance(e, BootError):
                self.tell_boot(e)
            raise
        if status in running:
            self.tell_boot(None)
        self.status = Status.booted if status == Status.shell else status
        if status == Status.shell:
            self._log_in()

    def _log_in(self) -> None:
        """Booted: log in (a login that fails leaves the board booted, not at a shell)."""
        log_in(self)
        self.status = Status.shell

    def force(self, status):
        if not isinstance(status, Status):
            status = Status[status]
        if status == Status.off:
            self.target.activate(self.power)
        elif status == Status.uboot:
            self.target.activate(self.uboot)
        else:
            raise StrategyError(f"can not force state {status.name}")
        self.status = status

    # -- the boot, step by step ----------------------------------------------------------

    def power_off(self) -> None:
        """Outlet off; the last boot's recorder is closed but kept."""
        if self.shell is not None:
            self.target.deactivate(self.shell)  # its next activation logs in again
        self.target.deactivate(self.uboot)
        self.target.activate(self.power)
        self._switch(on=False)
        if self.recorder is not None:
            self.recorder.close()
        self._running_config = None
        self.status = Status.off

    def reset_disk(self) -> None:
        """Power off, then ask the board's lab to copy its disk image again: the vboard's
        ``POST /disk/reset`` beside its PDU outlet.  A physical board's PDU has no such
        thing (its disk is rewritten from the board): ExecutionError, as for a vboard
        without a disk."""
        self.power_off()
        url = disk_reset_url(self.power.port.host)
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="POST"),
                                        timeout=DISK_RESET_TIMEOUT) as reply:
                reply.read()
        except urllib.error.HTTPError as e:
            why = e.read().decode(errors="replace").strip() or e.reason
            raise ExecutionError(f"the board's disk cannot be reset from the farm "
                                 f"({url}: {e.code} {why})") from e
        except (urllib.error.URLError, OSError) as e:
            raise ExecutionError(f"the board's disk reset at {url} failed: {e}") from e

    def power_on(self) -> ConsoleRecorder:
        """Power-cycle to U-Boot (unless at its prompt already), load the image and boot
        it; returns the boot's recorder without waiting for the kernel.  A kernel or
        boot image that is not there stops it before the outlet is touched."""
        config = self._config()
        if self.status != Status.uboot:
            self._uboot()
        self._load_and_boot()
        self._running_config = config
        self.status = Status.unknown  # U-Boot is gone; not known to be booted yet
        return self.recorder

    def wait_online(self, timeout: float | None = None) -> ConsoleRecorder:
        """Read the console until the Keel banner and ``keel: all harts online``."""
        boot = self._require_recorder().boot
        banner = self.banner_timeout if timeout is None else timeout
        self._read_until(lambda: boot.banner is not None, banner, "banner",
                         f"no Keel banner within {banner:.0f} s of booti")
        self._read_until(lambda: boot.online, self.online_timeout, "online",
                         f"Keel did not report all harts online within "
                         f"{self.online_timeout:.0f} s of its banner")
        return self.recorder

    def wait_exit(self, timeout: float, until=None) -> int | None:
        """Read the console until the kernel says it powers off (returns 0), ``until()``
        holds (returns 0 if it powered off, else None) or ``timeout`` passes (None)."""
        boot = self._require_recorder().boot
        done = until or (lambda: False)
        deadline = self.clock() + timeout
        while not done() and "poweroff" not in boot.stages and self.clock() < deadline:
            self._read(deadline)
        return 0 if "poweroff" in boot.stages else None

    def boot_again(self, timeout: float | None = None) -> ConsoleRecorder:
        """After ``keel: rebooting``: the board's firmware starts again and U-Boot counts
        down to its own autoboot; interrupt it, load the same image over TFTP again and
        boot it, without touching the outlet."""
        rec = self._require_recorder()
        wait = self.banner_timeout if timeout is None else timeout
        seen = self._reboots_followed
        self._read_until(lambda: len(rec.earlier_boots) > seen, wait, "reboot",
                         f"no 'keel: rebooting' within {wait:.0f} s")
        self._reboots_followed = seen + 1
        self.status = Status.unknown
        try:
            if self.shell is not None:
                self.target.deactivate(self.shell)
            self.target.deactivate(self.uboot)
            try:
                self.target.activate(self.uboot)
            except TIMEOUT:
                raise BootError("uboot", f"board did not come back to the U-Boot prompt "
                                         f"within {self.uboot.login_timeout} s of its "
                                         "reboot") from None
            rec.mark("uboot_prompt")
            self._load_and_boot()
            self.wait_online(timeout)
        except BootError as e:
            self.tell_boot(e)
            raise
        self.tell_boot(None)
        self.status = Status.booted
        return rec

    def _switch(self, on: bool) -> None:
        """Switch the outlet.  A PDU that fails to (no answer, an HTTP error) is the
        board's fault: BootError 'power'."""
        try:
            if on:
                self.power.on()
            else:
                self.power.off()
        except (OSError, ExecutionError) as e:  # requests' errors are OSErrors
            raise BootError("power", f"the board's PDU failed to switch its outlet "
                                     f"{'on' if on else 'off'}: {type(e).__name__}: {e}") \
                from None

    def _uboot(self) -> None:
        self.power_off()
        try:
            self.target.activate(self.console)
        except OSError as e:  # pyserial's SerialException is one
            raise BootError("serial", f"the board's serial line failed: "
                                      f"{type(e).__name__}: {e}") from None
        self.sleep(self.off_time)
        self._drain()
        self.boots += 1
        self.recorder = ConsoleRecorder(self._log_path(), clock=self.clock)
        self.recorder.attach(self.console)
        self._reboots_followed = 0
        self.status = Status.unknown
        self._switch(on=True)
        try:
            self.target.activate(self.uboot)
        except TIMEOUT:
            raise BootError("uboot", f"board did not reach the U-Boot prompt within "
                                     f"{self.uboot.login_timeout} s of power-on") from None
        self.recorder.mark("uboot_prompt")
        self.status = Status.uboot

    def _load_and_boot(self) -> None:
        initrd = self.initrd_path()
        if initrd and "initrd" not in self.uboot.boot_commands:
            raise StrategyError("a boot image needs the UBootDriver's boot_commands: "
                                "initrd (booti with ${ramdisk_addr_r}:${filesize})")
        self.target.activate(self.tftp)
        self._tftp_load("${kernel_addr_r}", self.tftp_path())
        if initrd:
            self._tftp_load("${ramdisk_addr_r}", initrd)  # last: booti takes ${filesize}
        self.recorder.mark("tftp_done")
        try:
            commands = bootargs_commands(self.append)
        except ValueError as e:
            raise BootError("uboot", str(e)) from None
        for command in commands:
            if self._uboot_run(command, 10) != 0:
                raise BootError("uboot", f"U-Boot refused '{command}'")
        self.uboot.boot("initrd" if initrd else "")
        self.target.deactivate(self.uboot)  # U-Boot is gone once booti jumps

    def _tftp_load(self, address: str, path: str) -> None:
        """Stage ``path`` in the TFTP directory and have U-Boot load it at ``address``."""
        staged = self.tftp.stage(path)
        code = self._uboot_run(f"tftpboot {address} {staged}", self.tftp_timeout)
        if code != 0:
            raise BootError("tftp", f"U-Boot could not load {staged} by TFTP (exit {code})")

    def _uboot_run(self, command: str, timeout: float) -> int:
        """Run a U-Boot command; its exit code.  A U-Boot that stops answering in the
        middle (the board was reset or lost power) is a BootError, not a parse error."""
        try:
            _, _, code = self.uboot.run(command, timeout=int(timeout))
        except (TIMEOUT, ValueError, IndexError) as e:
            raise BootError("reset", f"U-Boot stopped answering during '{command}' (was "
                                     f"the board reset or switched off?): "
                                     f"{type(e).__name__}") from None
        return code

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

    def initrd_path(self) -> str | None:
        """The boot image to load beside the kernel: ``initrd`` if set ("" for none),
        else the environment's ``initrd`` image if it names one, else None.  A boot
        image named but missing is a BootError: booting without it would run a
        different system than the one asked for."""
        if self.initrd is not None:
            path = str(self.initrd) or None
        else:
            env = self.target.env
            try:
                path = env.config.get_image_path("initrd") if env is not None else None
            except KeyError:
                path = None
        if path and not os.path.isfile(path):
            raise BootError("tftp", f"boot image {path} not found (make builds it; "
                                    "initrd='' boots the kernel alone)")
        return path

    def _config(self):
        return (self.tftp_path(), self.initrd_path(), self.append)

    def _require_recorder(self) -> ConsoleRecorder:
        if self.recorder is None:
            raise StrategyError("the board has not been powered on: call power_on() first")
        return self.recorder

    def _read(self, deadline: float) -> None:
        """One console read (the recorder parses what arrives).  Asks for one byte and
        gets all that is waiting, so a stage is timed when its line arrives."""
        remaining = deadline - self.clock()
        if remaining > 0:
            with contextlib.suppress(TIMEOUT):
                self.console.read(size=1, timeout=min(remaining, 0.5))

    def _read_until(self, done, timeout: float, stage: str, message: str) -> None:
        boot = self.recorder.boot
        deadline = self.clock() + timeout
        while not done() and boot.panic is None and boot.image_rejected is None:
            if self.clock() >= deadline:
                raise BootError(stage, message)
            self._read(deadline)
        if boot.panic is not None:
            raise BootError("panic", boot.panic.signature)
        if boot.image_rejected is not None:
            raise BootError("image", f"U-Boot refused the image: {boot.image_rejected}")

    def _drain(self) -> None:
        """Forget console output from before this power-on: what is still in transit, and
        what the expect buffer holds (a stale ``=> `` would pass for the new prompt and
        the U-Boot driver would type into the firmware).  Matching everything consumes
        the buffer through the public API; clearing pexpect's buffer attribute does not
        (pexpect restores it from its look-behind copy)."""
        self.console.settle(0.2, timeout=3.0)
        self.console.expect([ANYTHING, TIMEOUT], timeout=0.1)

    def _log_path(self) -> str | None:
        return str(self.log_path) if self.log_path else None
