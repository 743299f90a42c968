"""A stand-in for qemu-system-riscv64, and helpers to point a labgrid environment at it.

As a program it does what KeelQEMUDriver needs from QEMU: answers `-version`, speaks QMP
on stdio (greeting, qmp_capabilities, cont, quit), and once the guest is "continued"
writes a console to the `-chardev pipe` FIFO, made from its own arguments the way Keel
would print it: firmware banner, skipped harts, the Keel banner for `-smp`/`-m`/
`-machine`, then by `-append`: `ktest` prints KTAP and exits, `panic` prints a panic
report and exits, `reboot` resets the machine (it exits under `-no-reboot`, else the
firmware and the kernel start again, the second time without `reboot`), `userfault`
prints a user program's fault and then nothing more, anything else stays up until
`quit`.  QMP's `human-monitor-command` answers `info registers -a` with each hart's pc
(hart i at 0xffffffff80001000 + 16 i).  With a `-kernel` named uboot*
it plays U-Boot instead: autoboot, a prompt, the commands labgrid's UBootDriver sends,
`tftpboot` from the `-netdev` TFTP directory, and `booti` into the kernel above with
the `bootargs` set at the prompt.

Environment knobs (inherited from the test through the driver's Popen):
    FAKE_QEMU_LOG      append each argv as one JSON line to this file
    FAKE_QEMU_FAIL     exit at once with status 1 and this text on stderr
    FAKE_QEMU_CONSOLE  write this file's text as the console instead, then ...
    FAKE_QEMU_EXIT     ... exit with this status (unset: stay up until quit)
    FAKE_QEMU_SKIP     comma-separated hart ids the fake kernel rejects
"""

from __future__ import annotations

import json
import os
import re
import select
import stat
import sys
import textwrap
import time
from pathlib import Path

import ubootshell

UBOOT_BANNER = "OpenSBI v1.1\nU-Boot 2023.01 (fake)\nHit any key to stop autoboot:  2 "
COMPATIBLE = {"virt": "riscv-virtio", "sifive_u": "sifive,hifive-unleashed-a00"}
TIMEBASE = {"virt": 10000000, "sifive_u": 1000000}

REBOOT = -1  # kernel_console's status for a kernel that reset the machine

KTAP = """\
KTAP version 1
1..3
ok 1 first
keel: log line between cases
    KTAP version 1
    # Subtest: nested
    1..2
    ok 1 inner_a
    # nested.c:12: failed: x == y (0x1 vs 0x2)
    not ok 2 inner_b
not ok 2 nested
ok 3 skipped_one # SKIP not on this board
keel: ktest done: 2 passed, 1 failed
"""


def option(argv: list[str], name: str, default=None):
    return argv[argv.index(name) + 1] if name in argv else default


def kernel_console(argv: list[str]) -> tuple[str, int | None]:
    """The console text a Keel kernel would print for these arguments, and the exit
    status QEMU then has (None: it keeps running)."""
    machine = option(argv, "-machine", "virt")
    smp = int(option(argv, "-smp", "1"))
    mib = int(option(argv, "-m", "512M").rstrip("M"))
    append = option(argv, "-append", "")
    skip = {int(h) for h in os.environ.get("FAKE_QEMU_SKIP", "").split(",") if h}
    harts = [h for h in range(smp) if h not in skip]
    out = ["", "OpenSBI v1.1", "Platform Name : fake"]
    out += [f"keel: hart {h} skipped: status disabled" for h in sorted(skip) if h < smp]
    out.append(f"Keel 0.1.0 (fake-1-gabcdef) on {COMPATIBLE.get(machine, machine)}: "
               f"{len(harts)} harts [{','.join(map(str, harts))}], {mib} MiB, "
               f"timebase {TIMEBASE.get(machine, 1)} Hz")
    out.append("keel: all harts online")
    if "ktest" in append.split():
        return "\n".join(out) + "\n" + KTAP, 0
    if "reboot" in append.split():
        out.append("keel: rebooting")
        return "\n".join(out) + "\n", REBOOT
    if "panic" in append.split():
        out.append("KEEL PANIC: test panic requested on the command line at 0xffffffff80003bf0")
        for i, h in enumerate(harts):
            out.append(f"hart {i} (id {h}){', panicking' if i == 0 else ''}:")
            out.append("  pc  0xffffffff8000065c sstatus 0x8000000200006022")
            out.append("  ra  0xffffffff8000065c  sp  0xffffffff80010f30")
            out.append(f"hart {i} trace ring (newest last):")
            out.append("  trace      0 t=847051 boot     pc=0xffffffff800039f8 a=0x3 b=0x0")
        out.append("keel: powering off")
        return "\n".join(out) + "\n", 0
    if "userfault" in append.split():
        out.append("child[9]: fault: illegal instruction at pc 0x10076, address 0x0; "
                   "process killed")
        return "\n".join(out) + "\n", None
    return "\n".join(out) + "\nkeel> ", None


class FakeUBoot:
    """Just enough of U-Boot's shell for labgrid's UBootDriver and the boot chain."""

    WRAPPED = re.compile(r"^echo '(\w+)''(\w+)'; (.*); echo \"\$\?\"; echo '\w+''\w+';$")

    def __init__(self, argv: list[str]):
        self.argv = argv
        netdev = option(argv, "-netdev", "")
        self.tftp = dict(kv.split("=", 1) for kv in netdev.split(",") if "=" in kv).get("tftp")
        self.bootargs = ""
        self.env: dict[str, str] = {}
        self.rebooted = False  # a kernel resets the machine once; the next boot stays up

    def line(self, text: str) -> tuple[str, int | None]:
        """Output for one typed line (echoed first, like a terminal), and the exit status
        of QEMU if the line ended U-Boot's life."""
        over = len(text) - ubootshell.LINE_MAX       # U-Boot rings the bell and drops it
        text = text[:ubootshell.LINE_MAX]
        out = text + "\a" * max(over, 0) + "\n"
        wrapped = self.WRAPPED.match(text)
        if wrapped:
            marker = wrapped.group(1) + wrapped.group(2)
            output, code = self.run(wrapped.group(3))
            return out + f"{marker}\n{output}{code}\n{marker}\n=> ", None
        if text.startswith("echo "):
            return out + text[5:].replace("'", "") + "\n=> ", None
        if text.startswith("booti "):
            words = self.bootargs.split()
            if self.rebooted:
                words = [w for w in words if w != "reboot"]
            argv = [a for a in self.argv if a != "-append"] + ["-append", " ".join(words)]
            console, status = kernel_console(argv)
            if status == REBOOT and "-no-reboot" in self.argv:
                status = 0
            elif status == REBOOT:              # the reset starts U-Boot again, env fresh
                self.env, self.bootargs, status = {}, "", None
                self.rebooted = True
                console += UBOOT_BANNER
            return out + "Starting kernel ...\n\n" + console, status
        return out + "=> ", None

    def run(self, command: str) -> tuple[str, int]:
        if ubootshell.setenv(command, self.env):
            self.bootargs = self.env.get("bootargs", "")
            return "", 0
        words = command.split()
        if words[0] == "tftpboot":
            image = Path(self.tftp or "/nonexistent") / words[2]
            if not image.is_file():
                return "TFTP error: 'File not found' (1)\n", 1
            return f"Bytes transferred = {image.stat().st_size} (0 hex)\n", 0
        return f"Unknown command '{words[0]}'\n", 1


def main(argv: list[str]) -> int:
    if "-version" in argv:
        print("QEMU emulator version 7.2.0 (fake)")
        return 0
    if os.environ.get("FAKE_QEMU_LOG"):
        with open(os.environ["FAKE_QEMU_LOG"], "a") as log:
            log.write(json.dumps(argv) + "\n")
    if os.environ.get("FAKE_QEMU_FAIL"):
        print(os.environ["FAKE_QEMU_FAIL"], file=sys.stderr)
        return 1
    for name in ("-kernel", "-initrd"):  # like QEMU: a file that is not there ends it
        path = option(argv, name)
        if path is not None and not Path(path).is_file():
            print(f"qemu: could not load {path}: No such file or directory", file=sys.stderr)
            return 1
    chardev = option(argv, "-chardev")
    fifo = dict(kv.split("=", 1) for kv in chardev.split(",") if "=" in kv)["path"]
    out = os.open(fifo + ".out", os.O_RDWR)
    keys = os.open(fifo + ".in", os.O_RDWR)
    uboot = FakeUBoot(argv) if "uboot" in Path(option(argv, "-kernel", "")).name else None
    print(json.dumps({"QMP": {"version": {}, "capabilities": []}}), flush=True)
    typed = b""
    while True:
        ready, _, _ = select.select([sys.stdin, keys], [], [])
        status = None
        if sys.stdin in ready:
            request = sys.stdin.readline()
            if not request:
                return 0
            command = json.loads(request).get("execute")
            print(json.dumps({"return": monitor_answer(json.loads(request), argv)}), flush=True)
            if command == "quit":
                return 0
            if command == "cont":
                status = start(out, argv, uboot)
        if keys in ready:
            typed += os.read(keys, 4096)
            while b"\n" in typed and uboot is not None and status is None:
                line, typed = typed.split(b"\n", 1)
                text, status = uboot.line(line.decode())
                os.write(out, text.encode())
        if status is not None:
            time.sleep(0.05)
            return status


def monitor_answer(request: dict, argv: list[str]):
    """QMP's answer: {} but for `info registers -a` through the human monitor."""
    line = request.get("arguments", {}).get("command-line", "")
    if request.get("execute") != "human-monitor-command" or line != "info registers -a":
        return {}
    smp = int(option(argv, "-smp", "1"))
    return "".join(f"\nCPU#{i}\n V      =   0\n pc       {0xffffffff80001000 + 16 * i:016x}\n"
                   f" mhartid  {i:016x}\n" for i in range(smp))


def start(out: int, argv: list[str], uboot: FakeUBoot | None) -> int | None:
    """The guest starts: write what it prints until it waits for input or ends."""
    if uboot is not None:
        text, status = UBOOT_BANNER, None
    elif "FAKE_QEMU_CONSOLE" in os.environ:
        text = Path(os.environ["FAKE_QEMU_CONSOLE"]).read_text()
        status = os.environ.get("FAKE_QEMU_EXIT")
        status = int(status) if status else None
    else:
        text, status = kernel_console(argv)
        if status == REBOOT and "-no-reboot" in argv:
            status = 0
        elif status == REBOOT:
            words = [w for w in option(argv, "-append", "").split() if w != "reboot"]
            again, status = kernel_console([a for a in argv if a != "-append"]
                                           + ["-append", " ".join(words)])
            text += again
    for chunk in text.splitlines(keepends=True):
        os.write(out, chunk.encode())
    return status


# -- for the tests -----------------------------------------------------------------------

def install(tmp_path: Path) -> Path:
    """An executable `qemu` in tmp_path that runs this fake with the current Python."""
    wrapper = tmp_path / "qemu"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {Path(__file__).resolve()} \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper


def script_console(monkeypatch, tmp_path: Path, text: str, exit_status: int | None = None):
    """Make the fake print `text` as the whole console, then exit (None: stay up)."""
    script = tmp_path / "console.txt"
    script.write_text(text)
    monkeypatch.setenv("FAKE_QEMU_CONSOLE", str(script))
    if exit_status is not None:
        monkeypatch.setenv("FAKE_QEMU_EXIT", str(exit_status))


def write_env(tmp_path: Path, *, smp: int = 2, boot_timeout: float = 5.0) -> Path:
    """A labgrid environment on the fake: `main` boots the kernel image directly, `uboot`
    boots the fake U-Boot and loads the image over TFTP."""
    qemu = install(tmp_path)
    (tmp_path / "Image").write_bytes(b"fake kernel image")
    (tmp_path / "uboot.elf").write_bytes(b"fake u-boot")
    board = textwrap.indent(textwrap.dedent("""\
        options:
          keel_smp_configs: [1, {smp}]
          keel_skipped_harts: []
          keel_compatible: riscv-virtio
          keel_timebase: 10000000
        """), "    ")

    def qemu_driver(kernel):
        return textwrap.indent(textwrap.dedent(f"""\
            KeelQEMUDriver:
              qemu_bin: qemu
              machine: virt
              cpu: rv64
              memory: 256M
              smp: {smp}
              kernel: {kernel}
              extra_args: -bios default -no-reboot
            """), "      ")

    env = tmp_path / "env.yaml"
    env.write_text(
        "imports:\n  - keelfarm.driver\n  - keelfarm.strategy\ntargets:\n"
        "  main:\n" + board.format(smp=smp) + "    drivers:\n" + qemu_driver("kernel")
        + f"      KeelQEMUStrategy:\n        boot_timeout: {boot_timeout}\n"
        "  uboot:\n" + board.format(smp=smp) + "    drivers:\n" + qemu_driver("uboot")
        + textwrap.indent(textwrap.dedent(f"""\
            UBootDriver:
              prompt: "=> "
              autoboot: "Hit any key to stop autoboot"
              init_commands:
                - setenv ipaddr 10.0.2.15
              boot_command: booti ${{kernel_addr_r}} - ${{fdtcontroladdr}}
              login_timeout: 10
            KeelQEMUUBootStrategy:
              image: kernel
              boot_timeout: {boot_timeout}
            """), "      ")
        + f"tools:\n  qemu: {qemu}\nimages:\n  kernel: Image\n  uboot: uboot.elf\n")
    return env


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
