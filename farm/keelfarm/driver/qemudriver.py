"""QEMU driver for Keel targets: labgrid's QEMUDriver made fit for a kernel that exits.

It keeps labgrid's command line building (`get_qemu_base_args`), QMP monitor and console
interface, and changes three things:

- The console travels through a pair of FIFOs (`-chardev pipe`) instead of a unix
  socket.  QEMU 7.2's SiFive UART (sifive_u) drops a character whenever the chardev
  write would block, and a unix stream socket blocks after a few hundred one-byte
  writes (each is its own socket buffer): the console of a fast boot lost whole lines.
  A FIFO stores bytes, not buffers, and is enlarged to 1 MiB here.
- The guest powers the machine off by itself (after `ktest`, after a panic): the end of
  the console is `pexpect.EOF`, `off()` then only reaps QEMU, and the exit status is
  kept in `exit_status`.
- The hart count (`smp`) and a TFTP root for a user-mode network card are attributes, so
  a strategy can change them between boots.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import re
import select
import shutil
import subprocess
import tempfile

import attr
import pexpect
from labgrid.driver.exception import ExecutionError
from labgrid.driver.qemudriver import QEMUDriver
from labgrid.factory import target_factory
from labgrid.step import step
from labgrid.util.qmp import QMPError, QMPMonitor

PIPE_SIZE = 1 << 20
# `info registers -a`: "CPU#<n>" then, among the registers, " pc <hex>"
HART_PC_RE = re.compile(r"CPU#(\d+)\s*\n(?:.*\n)*?\s*pc\s+([0-9a-fA-F]+)")
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


@target_factory.reg_driver
@attr.s(eq=False)
class KeelQEMUDriver(QEMUDriver):
    """QEMUDriver with a hart count, a TFTP network and self-exiting guests.

    Args (besides QEMUDriver's):
        smp (int): optional, number of harts (`-smp`)
        tftp (str): optional, directory served by QEMU's user-mode network over TFTP,
            reached by the guest through a virtio-net device
        initrd (str): optional, key in images: of the boot image (`-initrd`)
        icount (bool): count guest instructions as time (`-icount shift=0,sleep=off`):
            one instruction per nanosecond, so instruction counts the guest reads
            (benchmarks) are the same on every run
        icount_sleep (bool): with icount, an idle guest's clock runs at the host's pace
            (`sleep=on`) instead of jumping to its next timer: for a guest that waits for
            a device QEMU serves in the background (a disk), whose deadlines would
            otherwise expire at once; running code still counts one instruction per ns
        disk (str): optional, key in images: of a raw disk image.  The driver attaches
            its own copy of it (the image itself is never written), made at the first
            power-on and kept across power cycles, as a board keeps its disk: a test
            can write, cut the power, boot again and find its data.  reset_disk()
            starts again from the image
        disk_interface (str): how the disk is attached: "virtio" (virtio-mmio
            block, QEMU virt's) or "nvme" (an NVMe controller on PCIe)
        nvme_mdts (int): optional, the NVMe controller's MDTS (largest transfer:
            2^mdts pages); QEMU's own (7) when unset.  A small one makes the driver
            split its commands below its own size, as some real controllers do
        reboots (bool): a guest reset starts the machine again, as a board's does
            (`-no-reboot` is left out of the command line even where the environment's
            extra_args have it); by default the environment's choice stands
    """

    smp = attr.ib(default=None, validator=attr.validators.optional(
        attr.validators.instance_of(int)))
    tftp = attr.ib(default=None, validator=attr.validators.optional(
        attr.validators.instance_of(str)))
    initrd = attr.ib(default=None, validator=attr.validators.optional(
        attr.validators.instance_of(str)))
    icount = attr.ib(default=False, validator=attr.validators.instance_of(bool))
    icount_sleep = attr.ib(default=False, validator=attr.validators.instance_of(bool))
    disk = attr.ib(default=None, validator=attr.validators.optional(
        attr.validators.instance_of(str)))
    disk_interface = attr.ib(default="virtio", validator=attr.validators.in_(["virtio", "nvme"]))
    nvme_mdts = attr.ib(default=None, validator=attr.validators.optional(
        attr.validators.instance_of(int)))
    reboots = attr.ib(default=False, validator=attr.validators.instance_of(bool))

    def __attrs_post_init__(self):
        super().__attrs_post_init__()
        self.exit_status = None
        self._tempdir = None
        self._disk_dir = None
        self._fifo = None
        self._rx = None  # console from the guest (read end of <fifo>.out)
        self._tx = None  # console to the guest (<fifo>.in)

    def get_qemu_base_args(self):
        # labgrid's QEMUDriver has a `disk` of its own, a Linux root disk: on virt it
        # attaches the image itself (-drive if=virtio on the build's disk.img, so every
        # boot wrote to the build tree's image and held its lock) and appends
        # root=/dev/vda to the command line.  Ours is attached once, by disk_args, on
        # the driver's private copy: the base class must not see it.
        disk, self.disk = self.disk, None
        try:
            cmd = super().get_qemu_base_args()
        finally:
            self.disk = disk
        if self.smp is not None:
            cmd += ["-smp", str(self.smp)]
        if self.tftp is not None:
            cmd += ["-netdev", f"user,id=n0,tftp={self.tftp}",
                    "-device", "virtio-net-device,netdev=n0"]
        if self.initrd is not None:
            cmd += ["-initrd", self.target.env.config.get_image_path(self.initrd)]
        if self.icount:
            cmd += ["-icount", f"shift=0,sleep={'on' if self.icount_sleep else 'off'}"]
        if self.disk is not None:
            cmd += self.disk_args(self.disk_path)
        if self.reboots:
            cmd = [arg for arg in cmd if arg != "-no-reboot"]
        return cmd

    def disk_args(self, path):
        """QEMU arguments attaching the raw image at path as the disk."""
        drive = f"file={path},if=none,format=raw,id=disk0"
        if self.disk_interface == "nvme":
            mdts = f",mdts={self.nvme_mdts}" if self.nvme_mdts is not None else ""
            return ["-drive", drive, "-device", f"nvme,serial=keel0,drive=disk0{mdts}"]
        return ["-drive", drive, "-device", "virtio-blk-device,drive=disk0"]

    @property
    def disk_path(self):
        """The driver's copy of the disk image (None without a disk)."""
        if self.disk is None:
            return None
        if self._disk_dir is None:
            self._disk_dir = tempfile.mkdtemp(prefix="keel-disk-")
            atexit.register(shutil.rmtree, self._disk_dir, True)
        return os.path.join(self._disk_dir, "disk.img")

    def reset_disk(self):
        """Start the disk again from the image (QEMU must be off)."""
        if self.status:
            raise ExecutionError("reset_disk: QEMU is running")
        if self.disk is not None:
            shutil.copyfile(self.target.env.config.get_image_path(self.disk), self.disk_path)

    def on_activate(self):
        self._tempdir = tempfile.mkdtemp(prefix="keel-qemu-")
        if self.disk is not None and not os.path.exists(self.disk_path):
            shutil.copyfile(self.target.env.config.get_image_path(self.disk), self.disk_path)
        self._fifo = os.path.join(self._tempdir, "console")
        os.mkfifo(self._fifo + ".in")
        os.mkfifo(self._fifo + ".out")
        self._cmd = self.get_qemu_base_args() + [
            "-S", "-qmp", "stdio",
            "-chardev", f"pipe,id=console,path={self._fifo}",
            "-serial", "chardev:console"]

    def on_deactivate(self):
        if self.status:
            self.off()
        self._close_console()
        shutil.rmtree(self._tempdir, ignore_errors=True)
        self._tempdir = None

    def _open_console(self):
        # Read-write opens of a FIFO never block and keep it alive until QEMU has it.
        self._rx = os.open(self._fifo + ".out", os.O_RDONLY | os.O_NONBLOCK)
        with contextlib.suppress(OSError):  # a smaller pipe still works, just less slack
            fcntl.fcntl(self._rx, F_SETPIPE_SZ, PIPE_SIZE)
        self._tx = os.open(self._fifo + ".in", os.O_RDWR | os.O_NONBLOCK)

    def _close_console(self):
        for fd in (self._rx, self._tx):
            if fd is not None:
                os.close(fd)
        self._rx = self._tx = None

    @step()
    def on(self):
        """Start QEMU stopped, connect QMP and the console, then let the guest run."""
        if self.status:
            return
        self.exit_status = None
        self._close_console()
        self._open_console()
        self.logger.debug("Starting with: %s", self._cmd)
        stderr_path = os.path.join(self._tempdir, "stderr")
        with open(stderr_path, "wb") as stderr:
            self._child = subprocess.Popen(self._cmd, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=stderr)
        try:
            self.qmp = QMPMonitor(self._child.stdout, self._child.stdin)
        except (QMPError, OSError, ValueError) as exc:
            self._reap(kill=True)
            with open(stderr_path, errors="replace") as f:
                err = f.read().strip()
            raise ExecutionError(f"QEMU did not start (exit status {self.exit_status}): "
                                 f"{err or exc}; command: {' '.join(self._cmd)}") from exc
        self.status = 1
        for forward in self._forwarded_ports.values():
            self._add_port_forward(*forward)
        self.monitor_command("cont")

    @step()
    def off(self):
        """Stop QEMU if it still runs; reap it either way and keep its exit status."""
        if not self.status:
            return
        if self._child.poll() is None:
            # it may exit between poll() and quit: then the QMP pipe is gone
            with contextlib.suppress(QMPError, OSError, ValueError):
                self.monitor_command("quit")
        self._reap()

    def _reap(self, kill=False):
        """Wait for QEMU (killing it if `kill` or if it lingers), keep its exit status."""
        try:
            if kill and self._child.poll() is None:
                self._child.kill()
            self._child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._child.kill()
        self.exit_status = self._child.wait()
        for pipe in (self._child.stdin, self._child.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
        self._child = None
        self.status = 0

    def poll(self):
        """QEMU's exit status, or None while it runs (or has never run)."""
        if self._child is not None:
            return self._child.poll()
        return self.exit_status

    def hart_pcs(self) -> list[tuple[int, int]]:
        """Each vCPU's number and program counter now (QEMU's `info registers -a`), for a
        look at a machine that has gone quiet; [] when QEMU does not run or cannot say."""
        if not self.status or self._child is None or self._child.poll() is not None:
            return []
        try:
            out = self.monitor_command("human-monitor-command",
                                       {"command-line": "info registers -a"})
        except (QMPError, OSError, ValueError):
            return []
        return [(int(cpu), int(pc, 16)) for cpu, pc in HART_PC_RE.findall(str(out))]

    def wait_exit(self, timeout):
        """Wait up to `timeout` seconds for QEMU to exit by itself; its status or None."""
        if self._child is None:
            return self.exit_status
        try:
            return self._child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def _read(self, size=1, timeout=10, max_size=None):
        if self._rx is None or not self.status:
            raise pexpect.EOF(f"QEMU is not running (exit status {self.exit_status})")
        ready, _, _ = select.select([self._rx], [], [], timeout)
        if not ready:
            raise pexpect.TIMEOUT(f"Timeout of {timeout:.2f} seconds exceeded")
        try:
            data = os.read(self._rx, max_size or 65536)
        except BlockingIOError:
            return b""
        if not data:
            raise pexpect.EOF(f"QEMU closed its console (exit status {self.poll()})")
        return data

    def _write(self, data):
        return os.write(self._tx, data)
