"""A simulated HiFive Unmatched behind fake power and console drivers: enough OpenSBI,
U-Boot shell (echo, $?, setenv, dhcp, tftpboot, booti) and Keel console to drive labgrid's
real UBootDriver and the Unmatched strategy without an emulator, and for a kernel booted
without init= a getty, login and shell enough for labgrid's real ShellDriver."""

from __future__ import annotations

import os
import re
import time

import attr
import ubootshell
from labgrid import Target
from labgrid.driver import ShellDriver
from labgrid.driver.common import Driver
from labgrid.driver.consoleexpectmixin import ConsoleExpectMixin
from labgrid.protocol import ConsoleProtocol, PowerProtocol
from labgrid.resource import TFTPProvider
from pexpect import TIMEOUT

from keelfarm.driver.tftpdriver import KeelTFTPProviderDriver
from keelfarm.driver.ubootdriver import KeelUBootDriver
from keelfarm.strategy.ubootstrategy import UnmatchedStrategy

FIRMWARE = (b"\r\nOpenSBI v1.1\r\nPlatform Name : SiFive HiFive Unmatched A00\r\n\r\n"
            b"U-Boot 2023.01 (Jan 01 2023)\r\nDRAM:  16 GiB\r\n"
            b"Hit any key to stop autoboot:  2 ")
BANNER = (b"Keel 0.1.0 (v0.1-3-gabc) on sifive,hifive-unmatched-a00: 4 harts [1,2,3,4], "
          b"16384 MiB, timebase 1000000 Hz\r\n")
KERNELS = {
    "ok": b"keel: hart 0 skipped: no mmu\r\n" + BANNER + b"keel: all harts online\r\n",
    "silent": b"",
    "no-online": BANNER,
    "panic": BANNER + b"KEEL PANIC: page fault in kernel at 0xffffffc000201234\r\n",
    "poweroff": BANNER + b"keel: all harts online\r\nkeel: ktest done: 3 passed, 0 failed\r\n"
                         b"keel: powering off\r\n",
    "ktest-fail": BANNER + b"keel: all harts online\r\nnot ok 2 sched/latency\r\n"
                           b"keel: ktest done: 2 passed, 1 failed\r\nkeel: powering off\r\n",
}


class FakeBoard:
    """The board's behaviour.  ``reaches_uboot`` False makes the firmware silent;
    ``kernel`` picks what the kernel prints (see KERNELS), or is "bad-magic": an image
    U-Boot's booti refuses, or "reboot": a kernel that resets the board once."""

    def __init__(self, tftp_root: str, reaches_uboot: bool = True, kernel: str = "ok",
                 slow_echo: float = 0.0):
        self.tftp_root = tftp_root
        self.reaches_uboot = reaches_uboot
        self.kernel = kernel
        self.powered = False
        self.power_ons = 0
        self.state = "off"
        self.out = bytearray()
        self.line = b""
        self.rc = 0
        self.env: dict[str, str] = {}
        self.commands: list[str] = []
        self.reset_on: str | None = None  # a command prefix that makes the board reset
        # a loaded host's serial path: what the board prints after the first `echo '`
        # line typed at its prompt reaches the console only this many (real) seconds later
        self.slow_echo = slow_echo
        self.held_until = 0.0
        self.accounts = {"root": "root"}
        self.user: str | None = None      # who is logged in on the console
        self.login_name = ""
        self.logins = 0
        self.shell_commands: list[str] = []  # what `run` was asked to run

    # -- power ---------------------------------------------------------------------------

    def power(self, on: bool) -> None:
        if on and not self.powered:
            self.power_ons += 1
            self.env.clear()
            if self.reaches_uboot:
                self.out += FIRMWARE
                self.state = "autoboot"
            else:
                self.state = "dead"
        elif not on:
            self.state = "off"
            self.out.clear()
        self.powered = on

    # -- serial --------------------------------------------------------------------------

    def typed(self, data: bytes) -> None:
        if self.state in ("getty", "password", "shell"):
            self._terminal(data)
            return
        if self.state == "autoboot":  # any key stops it, and is consumed
            self.state = "prompt"
            self.out += b"\b\b\b 0 \r\n=> "
            data = data[1:]
        if self.state != "prompt":
            return
        self.line += data
        if self.slow_echo and b"echo '" in self.line:
            self.held_until, self.slow_echo = time.monotonic() + self.slow_echo, 0.0
        while b"\n" in self.line:
            line, _, self.line = self.line.partition(b"\n")
            over = len(line) - ubootshell.LINE_MAX  # U-Boot rings the bell and drops it
            line = line[:ubootshell.LINE_MAX]
            self.out += line + b"\x07" * max(over, 0) + b"\r\n"
            self._command_line(line.decode().strip())
            if self.state == "prompt":
                self.out += b"=> "

    def _command_line(self, line: str) -> None:
        for cmd in [c.strip() for c in line.split(";")]:
            if cmd:
                self.commands.append(cmd)
                self._command(cmd)

    def _command(self, cmd: str) -> None:
        if self.reset_on and cmd.startswith(self.reset_on):
            self.reset_on = None
            self.powered = False
            self.power(True)
            return
        m = re.fullmatch(r"echo '(\w+)''(\w+)'", cmd)
        if m:
            self.out += (m.group(1) + m.group(2)).encode() + b"\r\n"
            self.rc = 0
        elif cmd == 'echo "$?"':
            self.out += f"{self.rc}\r\n".encode()
        elif ubootshell.setenv(cmd, self.env):
            self.rc = 0
        elif cmd == "dhcp":
            self.out += b"DHCP client bound to address 10.0.2.15 (1 ms)\r\n"
            self.rc = 0
        elif cmd.startswith("tftpboot "):
            self._tftp(cmd.split()[-1])
        elif cmd.startswith("booti ") and self.kernel == "reboot":
            # the kernel resets the board: the firmware again, and the next boot stays up
            self.out += (b"Starting kernel ...\r\n\r\n" + KERNELS["ok"] +
                         b"keel: rebooting\r\n" + FIRMWARE)
            self.state, self.kernel = "autoboot", "ok"
            self.env.clear()
        elif cmd.startswith("booti ") and self.kernel == "bad-magic":
            self.out += b"Bad Linux RISCV Image magic!\r\n"  # and back to the prompt
            self.rc = 1
        elif cmd.startswith("booti "):
            self.state = "kernel"
            self.out += b"Starting kernel ...\r\n\r\n" + KERNELS[self.kernel]
            init = "init=" in self.env.get("bootargs", "")
            if self.kernel == "ok" and not init:  # /sbin/init starts a getty
                self.state = "getty"
                self.out += b"\r\nKeel 0.1.0 (keel) (console)\r\n\r\nkeel login: "
        else:
            self.out += f"Unknown command '{cmd}'\r\n".encode()
            self.rc = 1

    # -- Keel's console: getty, login, shell ---------------------------------------------

    def _terminal(self, data: bytes) -> None:
        self.line += data
        if self.slow_echo and b"echo '" in self.line:
            self.held_until, self.slow_echo = time.monotonic() + self.slow_echo, 0.0
        while b"\n" in self.line:
            line, _, self.line = self.line.partition(b"\n")
            text = line.decode().rstrip("\r")
            self.out += (text if self.state != "password" else "").encode() + b"\r\n"
            self._terminal_line(text)

    def _terminal_line(self, text: str) -> None:
        if self.state == "getty":
            if text:
                self.login_name = text
                self.state = "password"
                self.out += b"Password: "
            else:
                self.out += b"keel login: "
        elif self.state == "password":
            if self.accounts.get(self.login_name) == text:
                self.user, self.state = self.login_name, "shell"
                self.logins += 1
                self.out += b"Welcome to Keel.\r\n" + self._prompt()
            else:
                self.state = "getty"
                self.out += b"Login incorrect\r\nkeel login: "
        else:
            self._shell_line(text)

    def _prompt(self) -> bytes:
        home = "/root" if self.user == "root" else f"/home/{self.user}"
        return f"{self.user}@keel:{home}{'#' if self.user == 'root' else '$'} ".encode()

    def _shell_line(self, text: str) -> None:
        m = re.fullmatch(r"MARKER='(\w+)''(\w+)' run (?:'(.*)'|(\S+))", text)
        echo = re.fullmatch(r"echo '(\w+)''(\w+)'", text)
        if text == "exit":
            self.user, self.state = None, "getty"
            self.out += b"\r\nKeel 0.1.0 (keel) (console)\r\n\r\nkeel login: "
            return
        if m:
            marker = m.group(1) + m.group(2)
            output, status = self._sh(m.group(3) or m.group(4))
            self.out += f"{marker}{output}{marker} {status}\r\n".encode()
        elif echo:
            self.out += (echo.group(1) + echo.group(2)).encode() + b"\r\n"
        elif text.split()[:1] == ["dmesg"]:
            self.out += b"/bin/sh: dmesg: not found\r\n"
        self.out += self._prompt()

    def _sh(self, command: str) -> tuple[str, int]:
        """What `sh -c command` prints and returns, for the few commands tests send."""
        self.shell_commands.append(command)
        out, status = "", 0
        for part in [p.strip() for p in command.split(";")]:
            if part.startswith("echo "):
                out += part[len("echo "):] + "\r\n"
            elif part.startswith("exit "):
                return out, int(part.split()[1])
            elif part == "whoami":
                out += f"{self.user}\r\n"
            elif part:
                out += f"sh: {part.split()[0]}: not found\r\n"
                status = 127
        return out, status

    def _tftp(self, name: str) -> None:
        path = os.path.join(self.tftp_root, name)
        if os.path.isfile(path):
            size = os.path.getsize(path)
            self.out += f"Bytes transferred = {size} ({size:x} hex)\r\n".encode()
            self.rc = 0
        else:
            self.out += b"TFTP error: 'File not found' (1)\r\n"
            self.rc = 1


@attr.s(eq=False)
class FakeBoardPower(Driver, PowerProtocol):
    def __attrs_post_init__(self):
        super().__attrs_post_init__()
        self.board: FakeBoard | None = None
        self.events: list[str] = []

    @Driver.check_active
    def on(self):
        self.events.append("on")
        self.board.power(True)

    @Driver.check_active
    def off(self):
        self.events.append("off")
        self.board.power(False)

    @Driver.check_active
    def cycle(self):
        self.off()
        self.on()

    @Driver.check_active
    def get(self):
        return self.board.powered


@attr.s(eq=False)
class FakeBoardConsole(ConsoleExpectMixin, Driver, ConsoleProtocol):
    """Reads what the board printed; an idle read advances the fake clock by its timeout
    (so the strategy's own deadlines pass at once) and raises TIMEOUT."""

    txdelay = attr.ib(default=0.0)
    txchunk = attr.ib(default=1)

    def __attrs_post_init__(self):
        super().__attrs_post_init__()
        self.board: FakeBoard | None = None
        self.clock = None

    def _read(self, size=1, timeout=0.0, max_size=None):
        out = self.board.out
        held = self.board.held_until - time.monotonic()
        if out and held > 0:  # held up on the way: nothing arrives before it, in real time
            time.sleep(min(held, timeout or 0.0))
            held = self.board.held_until - time.monotonic()
        if out and held <= 0:
            n = len(out) if not max_size else min(len(out), max_size)
            data = bytes(out[:n])
            del out[:n]
            if self.clock is not None:
                self.clock.sleep(0.01)  # bytes take time to arrive
            return data
        if self.clock is not None:
            self.clock.sleep(timeout or 0.0)
        time.sleep(0.001)
        raise TIMEOUT("no data")

    def _write(self, data):
        self.board.typed(data)
        return len(data)

    def open(self):
        pass

    def close(self):
        pass


def make_target(tmp_path, clock, image: bytes = b"keel image", login_timeout: int = 10,
                initrd: bytes | None = None, shell: bool = False, uboot=KeelUBootDriver,
                **board_kw):
    """A target with the fake board, our U-Boot driver (`uboot`), our TFTP driver and the
    strategy (with `initrd`, a boot image beside the kernel; with `shell`, labgrid's
    ShellDriver logging in as root); returns (strategy, board, power)."""
    tftp_root = tmp_path / "tftp"
    (tftp_root / "vb").mkdir(parents=True)
    img = tmp_path / "Image"
    img.write_bytes(image)
    initrd_path = ""
    if initrd is not None:
        initrd_path = str(tmp_path / "initrd.cpio")
        (tmp_path / "initrd.cpio").write_bytes(initrd)
    board = FakeBoard(str(tftp_root), **board_kw)
    t = Target("vb")
    TFTPProvider(t, name=None, internal=str(tftp_root / "vb") + "/", external="vb/")
    power = FakeBoardPower(t, name=None)
    power.board = board
    console = FakeBoardConsole(t, name=None)
    console.board = board
    console.clock = clock
    uboot(t, name=None, prompt="=> ", autoboot="Hit any key to stop autoboot",
                init_commands=("setenv autoload no", "dhcp"),
                boot_command="booti ${kernel_addr_r} - ${fdtcontroladdr}",
                boot_commands={"initrd": "booti ${kernel_addr_r} "
                                         "${ramdisk_addr_r}:${filesize} ${fdtcontroladdr}"},
                login_timeout=login_timeout)
    KeelTFTPProviderDriver(t, name=None)
    if shell:
        ShellDriver(t, name=None, login_prompt="login: ", username="root",
                    password="root", prompt=r"\w+@keel:[^\r\n]*[$#] ",
                    login_timeout=login_timeout, await_login_timeout=1)
    strategy = UnmatchedStrategy(t, name=None, image=str(img), initrd=initrd_path,
                                 harts=5, clock=clock, sleep=clock.sleep)
    return strategy, board, power
