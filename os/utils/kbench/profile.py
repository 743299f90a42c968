#!/usr/bin/env python3
"""Per-function instruction profile of kbench's operations (`kbench profile`).

Boots the kernel with init=/bin/kbench profile on QEMU virt, one hart, one instruction
per translation block and no block chaining (`-singlestep -d exec,nochain`), so QEMU
logs every instruction the guest executes; under `-icount shift=0,sleep=off`, so the
guest's clock is its instruction count and timer ticks fall where they do in kbench.  The log goes through a FIFO and is counted
on the fly: between each call of kbench's profile_begin() and profile_end() every
executed pc is counted, then mapped to the function holding it (the kernel's symbols
from build/os/kernel.elf, kbench's from build/os/bin/kbench).  Printed per window:
instructions per operation by function, and by part (trap entry and exit, kernel-call
dispatch, message and pulse code, scheduling and switch, locks, copies, user space).

    os/utils/kbench/profile.py [--build build] [--top 25]

The figures count one hart's instructions, firmware excluded (none runs in a window),
and include the two markers' calls (a handful of instructions per window, not per
operation).
"""

from __future__ import annotations

import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile
import threading

TRACE_RE = re.compile(rb"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")
WINDOW_RE = re.compile(r"\w+: profile window: (.*), (\d+) ops")

# Where each function's instructions go in the summary, by name (first match wins).
PARTS = (
    ("trap entry and exit", re.compile(r"^(trap_entry|trap_from_user|trap_return_user|"
                                       r"trap_user|arch_user_restart_check|"
                                       r"thread_user_return|sig_user_return)$")),
    ("kernel-call dispatch", re.compile(r"^(kcall_entry|kcall_deadline|invoke)$")),
    ("locks", re.compile(r"spin_|lockrank|arch_irq_")),
    ("scheduling and switch", re.compile(r"sched|schedule|arch_switch|switch|waitq|"
                                         r"thread_account|cputime|arch_fp|queue_now|"
                                         r"enqueue_ready|kick|rq_")),
    ("copies and user memory", re.compile(r"copy|vmspace|uaccess|transfer|memcpy|memset|"
                                          r"iov")),
    ("messages and pulses", re.compile(r"msg|Msg|pulse|Pulse|chan|conn|deliver|"
                                       r"take_sender|fill_info|ipc")),
)


def symbols(elf: str) -> tuple[list[int], list[str]]:
    """Sorted start addresses and names of the text symbols of an ELF file."""
    out = subprocess.run(["nm", "-n", "--defined-only", elf], check=True,
                         capture_output=True, text=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
    return addrs, names


def lookup(table: tuple[list[int], list[str]], pc: int) -> tuple[str, bool]:
    """The function holding pc, and whether pc is its first instruction (a call)."""
    addrs, names = table
    i = bisect.bisect_right(addrs, pc) - 1
    return (names[i], addrs[i] == pc) if i >= 0 else (f"0x{pc:x}", False)


def part_of(name: str, user: bool) -> str:
    if user:
        return "user space (kbench)"
    for part, rx in PARTS:
        if rx.search(name):
            return part
    return "other kernel"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--append", default="", help="more kernel command-line words")
    ap.add_argument("--user-pcs", type=int, default=0,
                    help="also print the N hottest user pcs of each window (to name them "
                         "with another program's symbols: nm -n build/os/sbin/taskman)")
    ap.add_argument("--program", default="kbench",
                    help="the program with the profile windows (/bin/PROGRAM profile): "
                         "kbench, or tmbench, whose windows span processes (user "
                         "instructions of other programs are named by PROGRAM's symbols "
                         "and marked ?)")
    ap.add_argument("--server", metavar="PROGRAM",
                    help="name the user instructions run between a send and its reply "
                         "(the kernel entered a send's handler, and not yet a reply's) "
                         "with PROGRAM's symbols (a path under the build's os/, e.g. "
                         "sbin/devnull), marked (server): for windows whose messages go "
                         "to another program")
    ap.add_argument("--pcs", action="append", default=[], metavar="FUNCTION",
                    help="also print each kernel pc of FUNCTION executed in a window, with "
                         "its count per operation (again for more functions; read them "
                         "beside objdump -d build/os/kernel.elf)")
    args = ap.parse_args()
    kernel = symbols(os.path.join(args.build, "os/kernel.elf"))
    user = symbols(os.path.join(args.build, "os/bin", args.program))
    server = symbols(os.path.join(args.build, "os", args.server)) if args.server else None
    # With --server: the kernel pcs where a send starts (the user code after
    # it is the server's) and where a reply starts (the client's again).
    sends = {kernel[0][i] for i, n in enumerate(kernel[1])
             if n in ("ipc_fast_MsgSend", "sys_MsgSend", "sys_MsgSendv", "sys_MsgSendvs",
                      "sys_MsgSendsv")}
    replies = {kernel[0][i] for i, n in enumerate(kernel[1])
               if n in ("ipc_fast_MsgReplyReceives", "sys_MsgReplyReceives",
                        "sys_MsgReplyReceivev", "sys_MsgReply", "sys_MsgReplyv",
                        "sys_MsgError")}
    server_bit = 1 << 64
    if args.program == "kbench":
        begin = user[0][user[1].index("profile_begin")]
        end = user[0][user[1].index("profile_end")]
    else:       # a window between two null kernel calls: begin and end are one pc
        begin = end = kernel[0][kernel[1].index("sys_KernelNop")]
    tmp = tempfile.mkdtemp(prefix="kprofile-")
    fifo = os.path.join(tmp, "trace")
    os.mkfifo(fifo)
    cmd = ["qemu-system-riscv64", "-M", "virt", "-smp", "1", "-m", "256M", "-nographic",
           "-bios", "default", "-kernel", os.path.join(args.build, "os/Image"),
           "-initrd", os.path.join(args.build, "os/initrd.cpio"),
           "-append", f"init=/bin/{args.program} profile {args.append}".strip(),
           "-icount", "shift=0,sleep=off",
           "-singlestep", "-d", "exec,nochain", "-D", fifo]
    qemu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    console: list[str] = []

    def read_console():
        for raw in qemu.stdout:
            console.append(raw.decode("utf-8", "replace").rstrip())

    reader = threading.Thread(target=read_console, daemon=True)
    reader.start()
    windows: list[collections.Counter] = []
    counting = None
    in_server = False
    kernel_base = min(kernel[0]) if kernel[0] else 0
    with open(fifo, "rb", buffering=1 << 20) as log:
        for line in log:
            m = TRACE_RE.match(line)
            if not m:
                continue
            pc = int(m.group(1), 16)
            if server and pc in sends:
                in_server = True
            elif server and pc in replies:
                in_server = False
            if pc == begin and (begin != end or counting is None):
                counting = collections.Counter()
                windows.append(counting)
                in_server = False
            elif pc == end:
                counting = None
            elif counting is not None:
                counting[pc | server_bit if in_server and pc < kernel_base else pc] += 1
    qemu.wait()
    reader.join(5)
    os.unlink(fifo)
    os.rmdir(tmp)
    names = [(m.group(1), int(m.group(2))) for m in map(WINDOW_RE.search, console) if m]
    if len(names) != len(windows) or not windows:
        print("\n".join(console[-30:]), file=sys.stderr)
        print(f"profile: {len(windows)} windows traced, {len(names)} announced",
              file=sys.stderr)
        return 1
    for (what, ops), counts in zip(names, windows, strict=True):
        by_fn: collections.Counter = collections.Counter()
        calls: collections.Counter = collections.Counter()
        by_part: collections.Counter = collections.Counter()
        for key, n in counts.items():
            pc, of_server = key & (server_bit - 1), bool(key & server_bit)
            in_user = pc < kernel_base
            fn, entry = lookup(server if of_server else user if in_user else kernel, pc)
            if of_server:
                fn += " (server)"
            by_fn[(fn, in_user)] += n
            if entry:
                calls[(fn, in_user)] += n
            by_part[part_of(fn, in_user)] += n
        total = sum(counts.values())
        print(f"{what}: {total / ops:.0f} instructions/op over {ops} ops")
        for part, n in by_part.most_common():
            print(f"  {part:<28} {n / ops:8.1f}")
        print("  by function:                       instructions/op   calls/op")
        for (fn, in_user), n in by_fn.most_common(args.top):
            mark = ("" if not in_user or fn.endswith(" (server)") else
                    " (user)" if args.program == "kbench" else " (user?)")
            print(f"    {fn + mark:<36} {n / ops:8.1f} "
                  f"{calls[(fn, in_user)] / ops:10.1f}")
        user_pcs = [(key, n) for key, n in counts.most_common()
                    if key & (server_bit - 1) < kernel_base]
        for key, n in user_pcs[:args.user_pcs]:
            side = " (server)" if key & server_bit else ""
            print(f"    user pc {key & (server_bit - 1):#x}{side} {n / ops:10.1f}")
        for want in args.pcs:
            pcs = sorted((pc, n) for pc, n in counts.items()
                         if pc >= kernel_base and lookup(kernel, pc)[0] == want)
            if pcs:
                print(f"    pcs of {want}: " + " ".join(f"{pc & 0xffffff:x}:{n / ops:g}"
                                                      for pc, n in pcs))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
