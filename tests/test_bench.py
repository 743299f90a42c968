"""Benchmarks: the kernel's `kbench` and the user-mode kbench print guest instructions
per operation; under QEMU they run with instruction counting as the clock, so the same
build prints the same figures every run.  The figures become `bench:<name>` report
properties (the plugin records every `kbench:` line); these tests check that every
figure is there and the relations that hold by construction."""

import os
import re

import pytest
from disks import disk_targets
from keelfarm.console import BOOT_FIGURES_RE, parse_figures
from ktap_boot import init_exit
from terminal import SHELL_PROMPT, Console, Session

pytestmark = pytest.mark.bench

EXIT_TIMEOUT = 300.0
SIZES = (0, 64, 4096)


def figures(boot) -> dict[str, float]:
    found: dict[str, float] = {}
    for line in boot.lines:
        found.update(parse_figures(line.strip()))
    return found


def round_trips(found: dict[str, float], where: str) -> list[float]:
    names = [f"MsgSend/Receive/Reply {where} {n} bytes" for n in SIZES]
    missing = [n for n in names if n not in found]
    assert not missing, f"kbench printed no figure for {missing}"
    return [found[n] for n in names]


def check_exit(boot, program: str) -> None:
    lines = [line.strip() for line in boot.lines]
    assert "kbench: done" in lines, "kbench did not finish"
    assert init_exit(lines, program, 0)


@pytest.mark.initrd
def test_user_kbench_one_hart(keel_boot, board):
    """Client and server on one hart; the uncontended mutex never enters the kernel; the
    IPC fast path's goals that are met stay met (null call 120, pulse 500, yield 4 x 300)."""
    boot = keel_boot(target="onehart", append="init=/bin/kbench", until="exit", hang_timeout=150.0,
                     timeout=EXIT_TIMEOUT, deterministic=True)
    check_exit(boot, "kbench")
    found = figures(boot)
    for name in ("null kernel call", "pulse send + receive", "thread create + join",
                 "SyncMutex lock+unlock uncontended",
                 "yield turns (2 threads, 2 yields each)",
                 "SyncMutex turns (same + 2 contended)"):
        assert found.get(name, 0) > 0, f"no figure for {name!r}"
    trips = round_trips(found, "same hart")
    assert trips[0] < trips[1] < trips[2], f"a bigger message cost less: {trips}"
    assert trips[0] > found["null kernel call"]
    low = "MsgSend/Receive/Reply same hart 0 bytes, server lower"
    assert found.get(low, 0) > found["null kernel call"], f"no figure for {low!r}"
    assert found["SyncMutex lock+unlock uncontended"] < found["null kernel call"], \
        "the uncontended mutex costs more than a kernel call: it enters the kernel"
    assert found["SyncMutex turns (same + 2 contended)"] > \
        found["yield turns (2 threads, 2 yields each)"]
    # The IPC fast-path issue's goals, in guest instructions: a null call and a pulse sent
    # and taken read no clock; a yield switches threads twice, and each switch reads the
    # time CSR once, which is the firmware's trap where board.time_csr_traps (some 350
    # instructions that are not Keel's each): its goal is held where the read is one.
    assert found["null kernel call"] <= 120
    assert found["pulse send + receive"] <= 500
    if not board.time_csr_traps:
        assert found["yield turns (2 threads, 2 yields each)"] <= 4 * 300


@pytest.mark.initrd
def test_user_kbench_across_harts(keel_boot, board):
    """The client pinned to hart 0, the server to hart 1: a round trip costs
    instructions on both, and hart 1 switches to the server and away for every one."""
    boot = keel_boot(smp=board.bench_smp, append="init=/bin/kbench cross", until="exit", hang_timeout=150.0, timeout=EXIT_TIMEOUT,
                     deterministic=True)
    check_exit(boot, "kbench")
    trips = round_trips(figures(boot), "cross-hart")
    assert trips[0] < trips[2], f"a bigger message cost less: {trips}"
    lines = [line.strip() for line in boot.lines]
    assert not [line for line in lines if "cannot be pinned" in line], lines
    pinned = [re.search(r"hart 1 switched (\d+) times in (\d+) round trips", line)
              for line in lines if "the server's hart 1 switched" in line]
    assert len(pinned) == 4, f"want a switch count per cross-hart round trip: {lines}"
    for m in pinned:
        assert m and int(m.group(1)) >= int(m.group(2)), \
            f"the server did not run on hart 1 for every round trip: {m and m.group(0)}"


KERNEL_FIGURES = ("timer interrupt, trap entry to handler return",
                  "thread yield, two threads on one hart",
                  "contended mutex lock+unlock, two harts",
                  "condvar signal to wake, across harts")


def test_kernel_kbench(keel_boot, board):
    """The kernel's own figures (command line `kbench`): switches, a contended kernel
    mutex and a condvar across harts, the timer interrupt."""
    boot = keel_boot(smp=board.bench_smp, append="kbench", until="exit", hang_timeout=150.0, timeout=EXIT_TIMEOUT,
                     deterministic=True)
    lines = [line.strip() for line in boot.lines]
    assert "kbench: done" in lines
    found = figures(boot)
    missing = [name for name in KERNEL_FIGURES if not found.get(name)]
    assert not missing, f"the kernel printed no figure for {missing}: {sorted(found)}"
    assert all(v > 0 for v in found.values()), found


# fsbench's file size in MiB: 8 per commit (the default disk is 64 MiB in all); the
# issue's 64 MiB figures want a larger disk (DISK_SIZE=256M) and KEEL_FSBENCH_MIB=64.
FSBENCH_MIB = int(os.environ.get("KEEL_FSBENCH_MIB", "8"))
FS_FIGURES = ("fs sequential write + fsync per KiB", "fs sequential read per KiB",
              "fs random 4 KiB read per KiB", "fs create+write 4 KiB+close+unlink")


def pytest_generate_tests(metafunc):
    if "disk_target" in metafunc.fixturenames:
        found = disk_targets(metafunc.config)
        metafunc.parametrize("disk_target", found, ids=[i for _, i in found])


@pytest.mark.initrd
@pytest.mark.disk
def test_fs_bench_on_the_disk(keel_boot, disk_target):
    """fsbench on /usr (fs-keel over the block driver of each way the environment attaches
    the disk: devb-virtio, devb-nvme) on one hart under instruction counting (its figures:
    the CPU time, so instructions, of fsbench, fs-keel and the driver; the guest's clock
    runs at the host's pace while it waits for the disk): every figure printed, every byte
    read back as written, and reads cheaper per KiB than writes (a write also allocates,
    orders and flushes)."""
    target, _ = disk_target
    strategy = keel_boot.strategy(target)
    strategy.reset_disk()
    keel_boot(target=target, smp=1, append="", until=None, deterministic="idle-real-time",
              hang_timeout=150.0)
    s = Session(strategy)
    try:
        c = Console(s)
        c.login("root", 300)
        out = c.ok(f"fsbench /usr/local {FSBENCH_MIB}", timeout=600 + 60 * FSBENCH_MIB)
    finally:
        s.close()
    found = {}
    for line in out.splitlines():
        found.update(parse_figures(line.strip()))
    missing = [name for name in FS_FIGURES if not found.get(name)]
    assert not missing, f"fsbench printed no figure for {missing}:\n{out}"
    assert "kbench: done" in out, out
    assert found["fs sequential read per KiB"] < found["fs sequential write + fsync per KiB"]


IO_FIGURES = ("console write (per byte, drained)", "pipe 64 KiB write (to a reading child)",
              "pipe 1-byte ping-pong (round trip)")


@pytest.mark.initrd
@pytest.mark.login
def test_io_bench_from_the_console(keel_boot):
    """iobench, run by root at the console of a one-hart boot under instruction counting:
    the console driver's cost per byte written (drained), a pipe's 64 KiB writes to a
    reading child and its throughput, and a 1-byte pipe ping-pong between two processes
    (the same figure on xv6 is 95,808 instructions).  Every figure is printed; a 64 KiB
    write through the pipe server copies the bytes in and out (at least 16,384 loads and
    stores), and the 256 console lines all reached the console."""
    strategy = keel_boot.strategy("onehart")
    keel_boot(target="onehart", append="", until=None, deterministic=True,
              hang_timeout=150.0)
    s = Session(strategy)
    try:
        c = Console(s)
        c.login("root", 300)
        out = c.ok("iobench", timeout=600)
    finally:
        s.close()
    found = {}
    for line in out.splitlines():
        found.update(parse_figures(line.strip()))
    missing = [name for name in IO_FIGURES if not found.get(name)]
    assert not missing, f"iobench printed no figure for {missing}:\n{out}"
    assert "iobench: done" in out, out
    assert out.count("iobench console line ") == 256, out
    assert found["pipe 64 KiB write (to a reading child)"] >= 16384, found
    m = re.search(r"iobench: pipe throughput (\d+) bytes per 10\^9 instructions", out)
    assert m and int(m.group(1)) > 0, out
    print(f"console: {found[IO_FIGURES[0]]:.0f} instructions per byte; pipe: "
          f"{found[IO_FIGURES[1]]:.0f} per 64 KiB write, {m.group(1)} bytes per 10^9 "
          f"instructions; ping-pong: {found[IO_FIGURES[2]]:.0f} per round trip")


# PS1 with mksh's EPOCHREALTIME: the time it prompts.  Not anchored at the end of the
# output: the editor redraws a line typed ahead right after its prompt.
STAMP_PROMPT = r"=T(\d+\.\d{6})= "


def instructions(t0: str, t1: str) -> int:
    """Guest instructions from time t0 to t1 ("s.us") under -icount shift=0, where the
    guest's clock counts one nanosecond per instruction."""
    return (int(t1.replace(".", "")) - int(t0.replace(".", ""))) * 1000


@pytest.mark.initrd
@pytest.mark.login
def test_boot_to_login_prompt(keel_boot, record_property):
    """The boot-to-login and typed-echo figures, under instruction counting, with the
    board's default harts (virt: 4) and without the disk (under -icount the instruction
    count is the guest's clock, so a guest waiting on the host's disk would count the
    host's pace, not its own work).  Under -icount QEMU runs the harts in turn and
    instret is one machine-wide count: every hart's instructions, the idle loops' and
    the firmware's included.
      boot to login prompt: getty logs the machine's instruction count (from reset,
        firmware included) and the time since boot as it writes each prompt;
      login to the first command: the password and `echo =L$EPOCHREALTIME=` typed at
        once at the Password: prompt; login logs when it read the password, on the clock
        of mksh's EPOCHREALTIME (CLOCK_REALTIME, a nanosecond per instruction), and the
        echo prints when the shell ran it: the check of the password, the session's
        set-up, the shell's start up to its first prompt, and that prompt reading and
        running the line (about a typed echo's worth, below);
      echo typed at the prompt: the prompt made the time mksh prompts (EPOCHREALTIME,
        microseconds: a thousand instructions), `true` and `echo hi` typed at once: from
        the prompt after `true` to the one after `echo hi` (the line read through the
        editor, the echo run and written, the next prompt), so no wait on the host is
        counted; when the typed bytes reach the guest against its work is the host's
        timing, so the figure varies from run to run (the others do not): by a few
        thousand, or by a timer tick's warp (10 M) when `echo hi` reached the guest after
        it had gone idle.  The login figure varies the same way."""
    strategy = keel_boot.strategy("main")
    strategy.power_off()
    disk, strategy.qemu.disk = strategy.qemu.disk, None
    try:
        boot = keel_boot(target="main", append="", until=None, deterministic=True,
                         hang_timeout=150.0)
        s = Session(strategy)
        try:
            s.expect(r"login: ", 300)
            s.line("root")
            s.expect(r"Password: $")
            s.console.write(b"root\recho =L$EPOCHREALTIME=\r")    # at once
            t_cmd = s.expect(r"=L(\d+\.\d{6})=\r?\n")[1]
            s.expect(SHELL_PROMPT)
            s.line("PS1='=T${EPOCHREALTIME}= '")
            s.expect(STAMP_PROMPT)
            s.console.write(b"true\recho hi\r")   # at once: no wait between the two
            t1 = s.expect(STAMP_PROMPT)[1]
            s.expect(r"\nhi\r?\n")
            t2 = s.expect(STAMP_PROMPT)[1]
            out, rc = s.run("sloginfo", STAMP_PROMPT)
            assert rc == 0, out
        finally:
            s.close()
    finally:
        strategy.power_off()
        strategy.qemu.disk = disk
    found, stages = boot.console.figures, boot.console.stages
    assert "login_prompt" in stages, "the console never showed getty's prompt"
    assert found.get("login prompt instret"), f"no getty line in the system log:\n{out}"
    kernel_entry = next(int(m.group("entry")) for line in boot.lines
                        if (m := BOOT_FIGURES_RE.match(line.strip())))
    # the prompt comes after the kernel's entry and the whole user land's start
    assert found["login prompt instret"] > kernel_entry + found["boot instret"], found
    assert found["login prompt us"] > found["boot us"], found
    echo = instructions(t1, t2)
    assert 0 < echo < found["login prompt instret"], echo
    m = re.search(r"root logged in on \S+ \(password read at (\d+\.\d{6})\)", out)
    assert m, f"no login line in the system log:\n{out}"
    login = instructions(m.group(1), t_cmd)
    assert echo < login < 10 * found["login prompt instret"], (login, echo)
    figures = {"boot to login prompt": found["login prompt instret"],
               "login to the first command": login,
               "echo typed to its output": echo}
    for name, value in figures.items():
        record_property(f"bench:{name}", f"{value:g}")
    print(f"boot to login prompt: {found['login prompt instret']:.0f} instructions from "
          f"reset ({kernel_entry} before the kernel), {found['login prompt us']:.0f} us "
          f"guest time; {stages['login_prompt']:.2f} s on the host; login to the first "
          f"command: {login} instructions; echo typed to its output: {echo} instructions")
