"""Console parsing: contract lines, boot stages, panic reports, the recorder and watch()."""

import itertools
from types import SimpleNamespace

import pexpect
import pytest
from labgrid.step import step

from keelfarm import console
from keelfarm.console import (
    EXITED,
    MATCHED,
    TIMED_OUT,
    BootConsole,
    ConsoleRecorder,
    panic_signature,
    parse_banner,
    parse_ktest_summary,
    parse_panic,
    parse_panic_report,
    parse_skipped_hart,
)

VIRT_BANNER = ("Keel 0.1.0 (41b957c-dirty) on riscv-virtio: 4 harts [0,1,2,3], 512 MiB, "
               "timebase 10000000 Hz")
SIFIVE_BANNER = ("Keel 0.1.0 (v0.1-3-g41b957c) on sifive,hifive-unleashed-a00: 4 harts "
                 "[1,2,3,4], 8192 MiB, timebase 1000000 Hz")


def test_banner_virt():
    b = parse_banner(VIRT_BANNER)
    assert (b.version, b.git, b.compatible) == ("0.1.0", "41b957c-dirty", "riscv-virtio")
    assert (b.nharts, b.harts, b.mib, b.timebase) == (4, (0, 1, 2, 3), 512, 10000000)


def test_banner_sifive_and_one_hart():
    b = parse_banner(SIFIVE_BANNER)
    assert b.compatible == "sifive,hifive-unleashed-a00"
    assert b.harts == (1, 2, 3, 4) and b.mib == 8192 and b.timebase == 1000000
    one = parse_banner("Keel 0.2 (abc) on x: 1 harts [7], 1 MiB, timebase 1 Hz")
    assert one.harts == (7,) and one.nharts == 1


@pytest.mark.parametrize("line", [
    "Keel 0.1.0 (abc) on riscv-virtio: 4 harts [0,1], 512 MiB",
    "Keel 0.1.0 on riscv-virtio: 4 harts [0,1,2,3], 512 MiB, timebase 10 Hz",
    "keel: all harts online",
    "",
])
def test_not_a_banner(line):
    assert parse_banner(line) is None


def test_skipped_hart():
    s = parse_skipped_hart("keel: hart 0 skipped: status disabled")
    assert (s.hart, s.reason) == (0, "status disabled")
    assert parse_skipped_hart("keel: hart 0 failed to start: SBI error -3") is None


def test_panic_signature():
    p = parse_panic("garbage KEEL PANIC: trap   scause=0xd  in kernel at 0xFFFFFFFF80003BF0")
    assert p.reason == "trap scause=0xd in kernel" and p.pc == 0xffffffff80003bf0
    assert p.signature == "KEEL PANIC: trap scause=0xd in kernel at 0xffffffff80003bf0"
    assert parse_panic("KEEL PANIC: no pc here") is None
    log = "OpenSBI v1.1\nKEEL PANIC: oops at 0x0000000080001000\nhart 0 (id 0):\n"
    assert panic_signature(log) == "KEEL PANIC: oops at 0x80001000"
    assert panic_signature("all good\n") is None


def test_ktest_summary():
    s = parse_ktest_summary("keel: ktest done: 16 passed, 1 failed")
    assert (s.passed, s.failed) == (16, 1)
    assert parse_ktest_summary("ktest done: 1 passed, 0 failed") is None


PANIC_LOG = """\
keel: all harts online
KEEL PANIC: test panic requested on the command line at 0xffffffff80003bf0
hart 0 (id 3), panicking:
  pc  0xffffffff8000065c sstatus 0x8000000200006022 scause 0x0000000000000000 stval 0x0
  ra  0xffffffff8000065c  sp  0xffffffff80010f30  gp  0x0000000000000000  tp  0x1
  s10 0x0000000000000002  s11 0x0000000000000005  t3  0x0000000000000000
hart 0 trace ring (newest last):
  trace      0 t=847051 boot     pc=0xffffffff800039f8 a=0x3 b=0x0
  trace      1 t=1360482 panic    pc=0xffffffff80003d12 a=0xffffffff80003bf0 b=0x0
hart 1 (id 0):
  registers unavailable: hart did not answer the stop IPI
hart 1 trace ring (newest last):
keel: powering off
hart 9 (id 9):
"""


def test_panic_report():
    report = parse_panic_report(PANIC_LOG.splitlines())
    assert report.lineno == 2 and report.powered_off
    assert report.panic.reason == "test panic requested on the command line"
    assert [(h.index, h.hartid, h.panicking) for h in report.harts] == [(0, 3, True),
                                                                        (1, 0, False)]
    first = report.hart(3)
    assert first.registers["pc"] == 0xffffffff8000065c
    assert first.registers["sp"] == 0xffffffff80010f30
    assert first.registers["s11"] == 5 and first.registers["tp"] == 1
    assert first.has_trace and len(first.trace) == 2 and first.trace[1].startswith("trace")
    assert "trace" not in first.registers
    second = report.hart(0)
    assert second.unavailable == "hart did not answer the stop IPI"
    assert second.registers == {} and second.has_trace and second.trace == []
    assert report.hart(9) is None


def test_panic_report_absent_and_cut():
    assert parse_panic_report(["keel: all harts online"]) is None
    cut = parse_panic_report(PANIC_LOG.splitlines()[:5])
    assert not cut.powered_off and len(cut.harts) == 1


def test_boot_console_stages():
    boot = BootConsole()
    lines = [
        (0.1, "OpenSBI v1.1"),
        (0.2, "U-Boot 2023.01+dfsg-2 (Jan 01 2023)"),
        (0.9, "Bytes transferred = 50912 (c6e0 hex)"),
        (1.0, "keel: hart 0 skipped: status disabled"),
        (1.1, SIFIVE_BANNER),
        (1.2, "keel: all harts online"),
        (1.3, "Keel 9.9 (x) on y: 1 harts [0], 1 MiB, timebase 1 Hz"),
        (1.4, "keel: ktest done: 3 passed, 0 failed"),
        (1.5, "KEEL PANIC: late at 0x10"),
        (1.6, "KEEL PANIC: later at 0x20"),
        (1.7, "keel: powering off"),
        (1.8, "OpenSBI v1.1"),
    ]
    boot.feed_partial("=", 0.4)
    boot.feed_partial("=> ", 0.5)
    for t, line in lines:
        boot.feed(line, t)
    assert boot.stages == {"opensbi": 0.1, "uboot": 0.2, "uboot_prompt": 0.5,
                           "tftp_done": 0.9, "banner": 1.1, "harts_online": 1.2,
                           "ktest_done": 1.4, "panic": 1.5, "poweroff": 1.7}
    assert boot.online and boot.banner.harts == (1, 2, 3, 4)
    assert boot.skipped == [console.SkippedHart(0, "status disabled")]
    assert boot.panic.pc == 0x10 and boot.panic_lineno == 9
    assert boot.ktest == console.KtestSummary(3, 0)


@pytest.mark.parametrize("line", ["keel: only 3 of 4 harts online",
                                  "keel: boot failed: memory: no usable RAM"])
def test_boot_console_failure_lines(line):
    boot = BootConsole()
    boot.feed("keel: hart 2 failed to start: SBI error -3", 1.0)
    assert boot.failure is None
    boot.feed(line, 2.0)
    boot.feed("keel: boot failed: later", 3.0)
    assert boot.failure == line and not boot.online


def test_boot_console_prompt_line_and_mark():
    boot = BootConsole()
    boot.feed("=> tftpboot ${kernel_addr_r} Image", 2.0)
    boot.mark("uboot_prompt", 3.0)
    assert boot.stages == {"uboot_prompt": 2.0}
    assert not boot.online


def test_the_login_prompt_is_a_stage_and_getty_log_lines_give_figures():
    boot = BootConsole()
    boot.feed_partial("keel login", 4.0)          # not yet the whole prompt
    boot.feed_partial("keel login: ", 4.5)
    boot.feed_partial("keel login: ", 9.0)        # the next prompt: the first one counts
    assert boot.stages == {"login_prompt": 4.5}
    line = ("       12.345 info    getty[7]: login prompt on /dev/ser1 at instret "
            "41234567, 1523000 us since boot")
    assert console.parse_figures(line) == {"login prompt instret": 41234567.0,
                                           "login prompt us": 1523000.0}
    boot.feed(line, 10.0)
    assert boot.figures["login prompt instret"] == 41234567.0
    # a person's command line that merely quotes the words is not getty's log line
    assert console.parse_figures("echo login prompt on x at instret 5, 6 us since boot") == {}
    assert console.parse_figures("getty[7]: login prompt on x at instret 5") == {}
    # a pseudo-terminal's getty (/etc/ttys lists /dev/ttyp0) is not the console's prompt
    assert console.parse_figures("       12.345 info    getty[9]: login prompt on /dev/ttyp0 "
                                 "at instret 41234000, 12345 us since boot") == {}
    assert console.parse_figures("getty: login prompt on /dev/pts/3 at instret 5, 6 us "
                                 "since boot") == {}


def fake_clock(times):
    it = iter(times)
    return lambda: next(it)


def test_a_replaying_listener_sees_the_lines_read_before_it_came():
    rec = ConsoleRecorder(None, clock=fake_clock(itertools.count(100.0, 0.5)))
    rec.feed(b"U-Boot 2023.01\nStarting kernel ...\n")
    late, replayed = [], []
    rec.add_listener(late.append)
    rec.add_listener(replayed.append, replay=True)
    rec.feed(b"Keel 0.1.0\n")
    assert [line.text for line in late] == ["Keel 0.1.0"]
    assert [line.text for line in replayed] == ["U-Boot 2023.01", "Starting kernel ...",
                                                "Keel 0.1.0"]
    assert replayed == rec.lines


def test_recorder_lines_times_and_log(tmp_path):
    path = tmp_path / "sub" / "boot.log"
    rec = ConsoleRecorder(path, clock=fake_clock(itertools.count(100.0, 0.5)))
    seen = []
    rec.add_listener(seen.append)
    rec.feed(b"OpenSBI v1.1\r\nKeel 0.1.0 (g) on riscv-virtio: 1 harts [0], 5")
    rec.feed(b"12 MiB, timebase 10000000 Hz\nkeel: all harts onl")
    assert [line.text for line in seen] == [
        "OpenSBI v1.1", "Keel 0.1.0 (g) on riscv-virtio: 1 harts [0], 512 MiB, timebase "
        "10000000 Hz"]
    assert [line.t for line in seen] == [0.5, 1.0]
    assert rec.boot.stages == {"opensbi": 0.5, "banner": 1.0}
    assert "keel: all harts onl" in rec.tail()
    rec.feed(b"ine\n")
    assert rec.boot.online
    rec.feed(b"keel> ")
    rec.close()
    rec.close()
    assert rec.lines[-1].text == "keel> "
    assert path.read_text() == (
        "OpenSBI v1.1\nKeel 0.1.0 (g) on riscv-virtio: 1 harts [0], 512 MiB, timebase "
        "10000000 Hz\nkeel: all harts online\nkeel> \n")
    assert rec.text.endswith("keel: all harts online\nkeel> ")


def test_recorder_split_utf8_and_no_log():
    rec = ConsoleRecorder()
    snowman = "\u2603".encode()
    rec.feed(b"a" + snowman[:1])
    rec.feed(snowman[1:] + b"\n\xff\n")
    assert [line.text for line in rec.lines] == ["a\u2603", "\ufffd"]
    assert rec.log_path is None
    assert rec.tail(1) == "    \ufffd"
    assert ConsoleRecorder().tail() == "    (no console output)"


class FakeConsole:
    """A console driver's read(), as a labgrid step, replaying chunks then EOF/TIMEOUT."""

    def __init__(self, chunks, end=pexpect.EOF):
        self.target = SimpleNamespace(name="fake")  # labgrid's step logger names the target
        self.name = None
        self.chunks = list(chunks)
        self.end = end
        self.reads = 0

    @step(result=True, tag="console")
    def read(self, size=1, timeout=0.0, max_size=None):
        self.reads += 1
        if self.chunks:
            return self.chunks.pop(0)
        raise self.end("end of script")


def test_recorder_attach_sees_driver_reads_only_while_attached():
    con, other = FakeConsole([b"OpenSBI v1.1\n", b"late\n"]), FakeConsole([b"other\n"])
    rec = ConsoleRecorder()
    rec.attach(con)
    con.read()
    other.read()
    rec.close()
    con.read()
    assert [line.text for line in rec.lines] == ["OpenSBI v1.1"]


def test_watch_outcomes():
    rec = ConsoleRecorder()
    con = FakeConsole([b"keel: all harts online\n", b"more\n"])
    rec.attach(con)
    assert console.watch(con, lambda: rec.boot.online, 5) == MATCHED
    assert con.reads == 1
    assert console.watch(con, lambda: False, 5) == EXITED
    rec.close()
    # data before the timeouts: labgrid's step logger stumbles later over a console
    # whose reads all failed
    idle = FakeConsole([b"keel> "], end=pexpect.TIMEOUT)
    assert console.watch(idle, lambda: False, 0.05) == TIMED_OUT
    assert idle.reads >= 2
    assert console.watch(idle, lambda: True, 0) == MATCHED
