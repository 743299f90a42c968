"""The QEMU machine behind a virtual board: how it is started and how it is stopped.

The machine is shaped like a HiFive Unmatched as far as the farm can tell: 4 harts,
OpenSBI, U-Boot in S-mode waiting for its autoboot to be interrupted, and a network on
which DHCP and TFTP work (QEMU's user network, whose TFTP root is the exporter's TFTP
directory, so a file staged there by labgrid is what U-Boot fetches).  With a disk image
(``MachineConfig.nvme``) every board has an NVMe drive of its own: a copy of the image,
made when the board starts and made again by ``Machine.reset_disk`` (the board off), as a
board keeps its disk across power cycles until someone rewrites it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field

UBOOT_SMODE = "/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf"
QEMU = "qemu-system-riscv64"


@dataclass
class MachineConfig:
    """What a vboard's QEMU looks like.  ``qemu`` may name any executable (tests use a
    stand-in that never starts).  ``nvme``: the image each board's own disk is copied
    from."""

    tftp_root: str
    qemu: str = QEMU
    firmware: str = UBOOT_SMODE
    smp: int = 4
    memory: str = "512M"
    nvme: str | None = None
    extra_args: list[str] = field(default_factory=list)

    def command(self, serial_socket: str, disk: str | None = None) -> list[str]:
        """The QEMU command line; the UART connects to ``serial_socket`` as a client, and
        ``disk`` (the board's copy of ``nvme``) is its NVMe drive."""
        cmd = [
            self.qemu, "-M", "virt", "-smp", str(self.smp), "-m", self.memory,
            "-display", "none", "-monitor", "none",
            "-bios", "default", "-kernel", self.firmware,
            "-chardev", f"socket,id=uart0,path={serial_socket}",
            "-serial", "chardev:uart0",
            "-netdev", f"user,id=net0,tftp={self.tftp_root}",
            "-device", "virtio-net-device,netdev=net0",
        ]
        if disk:
            cmd += ["-drive", f"file={disk},if=none,format=raw,id=nvme0",
                    "-device", "nvme,serial=keel-vboard,drive=nvme0"]
        return cmd + list(self.extra_args)


WRAPPER = "setpriv"


def _dying_with_parent(cmd: list[str]) -> list[str]:
    """cmd run so that it gets SIGKILL when the thread that started it goes away (a
    vboard daemon killed outright never leaves a machine running): util-linux's setpriv
    sets the parent-death signal, which the exec of cmd keeps.  Not a preexec_fn: Python
    run in the child of a process with other threads (gRPC's, the lab's) may die there
    before the exec, and Popen then reports a started process that is gone at once."""
    return [WRAPPER, "--pdeathsig", "KILL", "--", *cmd]


def _wait_past_wrapper(proc, timeout: float = 5.0) -> None:
    """Return once proc has exec'd what the wrapper runs (its parent-death signal set
    by then) or has ended.  Popen returns after the wrapper's own exec: a starting
    thread that went away before the wrapper's prctl would leave the machine running."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0", 1)[0]
        except OSError:
            return
        if os.path.basename(argv0) != WRAPPER.encode():
            return
        time.sleep(0.002)


class Machine:
    """One QEMU process at a time.  Not thread-safe: the board's power thread owns it."""

    def __init__(self, config: MachineConfig, serial_socket: str, log_path: str,
                 popen=subprocess.Popen, disk: str | None = None):
        self.config = config
        self.serial_socket = serial_socket
        self.log_path = log_path
        self._popen = popen
        self.proc = None
        self.last_error: str | None = None
        # the board's own disk: a copy of config.nvme (None: no disk)
        self.disk = disk if config.nvme else None

    def reset_disk(self) -> None:
        """Make the board's disk a fresh copy of the image (the machine must be stopped:
        the board's power thread calls this).  OSError when the copy fails; the old disk
        then stays as it was."""
        if self.disk is None:
            raise OSError("the board has no disk (no image given)")
        tmp = self.disk + ".new"
        shutil.copyfile(self.config.nvme, tmp)
        os.replace(tmp, self.disk)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def exit_status(self) -> int | None:
        """QEMU's exit code if it has stopped by itself, else None."""
        if self.proc is None:
            return None
        return self.proc.poll()

    def start(self) -> bool:
        """Start QEMU; return False (and keep the reason in ``last_error``) if it cannot
        even be executed.  A machine that starts and dies is seen through exit_status()."""
        self.last_error = None
        cmd = self.config.command(self.serial_socket, self.disk)
        with open(self.log_path, "ab") as log:
            log.write(("$ " + " ".join(cmd) + "\n").encode())
            log.flush()
            # An emulator that is not there is said plainly before any fork: the
            # child's report of a failed exec has come back cut short or not at all
            # on a host with every core busy (a missing emulator then looked started).
            if self._popen is subprocess.Popen and shutil.which(cmd[0]) is None:
                self.proc = None
                self.last_error = f"cannot start {cmd[0]}: no such executable"
                log.write((self.last_error + "\n").encode())
                return False
            try:
                self.proc = self._popen(_dying_with_parent(cmd), stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT,
                                        process_group=0, close_fds=True)
                _wait_past_wrapper(self.proc)
            except (OSError, subprocess.SubprocessError) as e:
                # SubprocessError: the child's report of its failed exec came back cut
                # short (seen under heavy load); it did not start either way
                self.proc = None
                why = e.strerror if isinstance(e, OSError) else str(e)
                self.last_error = f"cannot start {cmd[0]}: {why}"
                log.write((self.last_error + "\n").encode())
                return False
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """Pull the plug: SIGKILL, then reap (bounded by ``timeout``)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.last_error = f"QEMU pid {proc.pid} did not exit after SIGKILL"
