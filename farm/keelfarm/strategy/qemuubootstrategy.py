"""Strategy for Keel on QEMU through U-Boot: OpenSBI → U-Boot → TFTP → `booti`.

The same chain a physical board uses, on the emulator: QEMU's `-kernel` is U-Boot
(S-mode), the kernel image is staged into a fresh TFTP directory served by QEMU's
user-mode network, and labgrid's UBootDriver interrupts autoboot and runs the commands.

States: `off`, `uboot` (at the U-Boot prompt, network set up), `booted` (the kernel said
`keel: all harts online`), `shell` (logged in, as KeelQEMUStrategy), `unknown`.
"""

from __future__ import annotations

import enum
import shutil
import tempfile
from pathlib import Path

import attr
from labgrid.factory import target_factory
from labgrid.step import step
from labgrid.strategy import StrategyError

from .bootargs import bootargs_commands
from .qemustrategy import KeelQEMUStrategy


class Status(enum.Enum):
    unknown = 0
    off = 1
    uboot = 2
    booted = 3
    shell = 4


@target_factory.reg_driver
@attr.s(eq=False)
class KeelQEMUUBootStrategy(KeelQEMUStrategy):
    """Boots Keel from U-Boot over TFTP.

    Args:
        image (str): images key of the kernel staged into the TFTP directory
        image_name (str): file name the kernel gets there
        load_command (str): U-Boot command that loads it (`{name}` is the file name)
        load_timeout (float): seconds the load may take
    """

    bindings = {"qemu": "KeelQEMUDriver", "uboot": "UBootDriver",
                "shell": {"ShellDriver", None}}
    states = Status

    status = attr.ib(default=Status.unknown)
    image = attr.ib(default="kernel", validator=attr.validators.instance_of(str))
    image_name = attr.ib(default="Image", validator=attr.validators.instance_of(str))
    load_command = attr.ib(default="tftpboot ${kernel_addr_r} {name}",
                           validator=attr.validators.instance_of(str))
    load_timeout = attr.ib(default=60.0, converter=float)

    def __attrs_post_init__(self):
        super().__attrs_post_init__()
        # the kernel command line goes through U-Boot's bootargs, not QEMU's -append
        self.default_append = None
        self.append = None
        self._tftp_dir: str | None = None

    @step(args=["status"])
    def transition(self, status, *, step):
        if not isinstance(status, Status):
            status = Status[status]
        if status == Status.unknown:
            raise StrategyError(f"can not transition to {status}")
        if status == self.status and (status == Status.off
                                      or self._running_config == self._config()):
            step.skip("nothing to do")
            return
        if status == Status.off:
            self.power_off()
        elif status == Status.uboot:
            self.power_on()
            self.target.activate(self.uboot)  # interrupts autoboot, runs init_commands
            self.recorder.mark("uboot_prompt")
        elif status == Status.booted:
            self.transition(Status.uboot)
            self.load_and_boot()
            self.wait_online()
        elif status == Status.shell:
            self.to_shell()
        else:
            raise StrategyError(f"no transition found from {self.status} to {status}")
        self.status = status

    def load_and_boot(self) -> None:
        """At the prompt: load the staged kernel, set bootargs, run the boot command."""
        command = self.load_command.replace("{name}", self.image_name)
        self.uboot.run_check(command, timeout=int(self.load_timeout))
        if self.append:
            for line in bootargs_commands(self.append):
                self.uboot.run_check(line)
        self.uboot.boot()

    def boot_again(self, timeout: float | None = None):
        """After `keel: rebooting`: U-Boot starts again; interrupt its autoboot, load the
        staged kernel again and boot it, as `booted` does after power-on."""
        if not self.reboots:
            raise StrategyError("this boot was configured without reboots: QEMU ends at "
                                "a guest reset (configure(reboots=True))")
        self.await_reboot(timeout)
        self.status = Status.unknown
        if self.shell is not None:
            self.target.deactivate(self.shell)
        self.target.deactivate(self.uboot)       # U-Boot of the first boot is long gone
        self.target.activate(self.uboot)
        self.recorder.mark("uboot_prompt")
        self.load_and_boot()
        rec = self.wait_online(timeout)
        self.status = Status.booted
        return rec

    def _prepare(self) -> None:
        super()._prepare()
        self.qemu.boot_args = None
        self._tftp_dir = tempfile.mkdtemp(prefix="keel-tftp-")
        source = Path(self.target.env.config.get_image_path(self.image))
        shutil.copyfile(source, Path(self._tftp_dir) / self.image_name)
        self.qemu.tftp = self._tftp_dir

    def power_off(self) -> None:
        super().power_off()
        if self._tftp_dir is not None:
            shutil.rmtree(self._tftp_dir, ignore_errors=True)
            self._tftp_dir = None
