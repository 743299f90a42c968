"""Crash signatures from console logs: normalization, addr2line parsing, panics, user
faults, boot failures and hangs.  A fake addr2line answers the fixtures; one test runs
the real cross addr2line on a small ELF built here."""

import json
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from keelfarm.results import signature as sig
from keelfarm.results.signature import Frame, Symbolizer, find_crash, normalize, parse_addr2line

DATA = Path(__file__).parent / "data"
PANIC_PC = 0xffffffff80008730


def panic_log() -> list[str]:
    return (DATA / "panic-virt.log").read_text().splitlines()


# A stand-in for addr2line: answers from a table, logs each argv.
FAKE_ADDR2LINE = '''\
import json, sys
table = json.loads(open(sys.argv[0] + ".json").read())
with open(sys.argv[0] + ".calls", "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
for arg in sys.argv[1:]:
    if arg.startswith("-") and arg not in ("-a", "-f", "-i", "-e"):
        sys.exit(f"addr2line: invalid option -- '{arg[1]}'")
for arg in sys.argv[1:]:
    if not arg.startswith("0x"):
        continue
    print(arg)
    for function, location in table.get(hex(int(arg, 16)), [["??", "??:0"]]):
        print(function)
        print(location)
'''


def fake_addr2line(tmp_path: Path, table: dict[int, list[tuple[str, str]]],
                   name: str = "addr2line") -> Path:
    script = tmp_path / name
    script.write_text(f"#!{sys.executable}\n" + FAKE_ADDR2LINE)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    Path(str(script) + ".json").write_text(json.dumps({hex(a): v for a, v in table.items()}))
    return script


def calls(script: Path) -> list[list[str]]:
    path = Path(str(script) + ".calls")
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


KERNEL_TABLE = {
    PANIC_PC: [("kmain", "/src/keel/os/kernel/core/main.c:178")],
    0xffffffff8000077a: [("arch_frame_capture", "/src/keel/os/kernel/arch/riscv/arch.c:118")],
    0xffffffff80000779: [("arch_frame_capture", "/src/keel/os/kernel/arch/riscv/arch.c:116")],
    0xffffffff8000885a - 1: [("panic_common", "/src/keel/os/kernel/core/panic.c:65")],
    0xffffffff800005fa: [("arch_irq_enable", "/src/keel/os/kernel/arch/riscv/arch.c:23"),
                         ("sched_idle_loop", "/src/keel/os/kernel/core/sched.c:318")],
}


@pytest.fixture
def kernel_symbolizer(tmp_path):
    tool = fake_addr2line(tmp_path, KERNEL_TABLE)
    return Symbolizer(tmp_path / "kernel.elf", addr2line=str(tool), source_root="/src/keel")


@pytest.mark.parametrize("text, want", [
    ("pmm: bad free of 0x80001000: double free", "pmm: bad free of <addr>: double free"),
    ("assertion failed: n == 3 (os/kernel/core/x.c:42)",
     "assertion failed: n == <n> (os/kernel/core/x.c:<n>)"),
    ("kernel load page fault,  stval 0x0", "kernel load page fault, stval <addr>"),
    ("hart1 sv39 stays, 2.5 s and -4 go", "hart1 sv39 stays, <n> s and <n> go"),
    ("ok 38 timer_periodic", "ok <n> timer_periodic"),
])
def test_normalize(text, want):
    assert normalize(text) == want


def test_parse_addr2line_inline_unknown_and_discriminator():
    out = textwrap.dedent("""\
        0xffffffff80001000
        inner
        /src/a.c:10
        outer
        /src/b.c:20 (discriminator 3)
        0x0000000000000010
        ??
        ??:0
        0xffffffff80002000
        nofile
        ??:?
        """)
    table = parse_addr2line(out, relative=lambda p: p.removeprefix("/src/"))
    assert table[0xffffffff80001000] == (
        Frame(0xffffffff80001000, "inner", "a.c", 10),
        Frame(0xffffffff80001000, "outer", "b.c", 20))
    assert table[0x10] == (Frame(0x10, None, None, None),)
    assert not table[0x10][0].known and table[0x10][0].where() == "0x10"
    assert table[0xffffffff80002000] == (Frame(0xffffffff80002000, "nofile", None, None),)
    assert table[0xffffffff80002000][0].where() == "nofile"


def test_symbolizer_batches_and_caches(kernel_symbolizer):
    got = kernel_symbolizer.lookup([PANIC_PC, 0xffffffff800005fa, 0x1234])
    assert got[PANIC_PC] == (Frame(PANIC_PC, "kmain", "os/kernel/core/main.c", 178),)
    assert [f.function for f in got[0xffffffff800005fa]] == ["arch_irq_enable",
                                                            "sched_idle_loop"]
    assert not got[0x1234][0].known
    kernel_symbolizer.lookup([PANIC_PC, 0x1234])
    made = calls(Path(kernel_symbolizer.addr2line))
    assert len(made) == 1, "the second lookup must come from the cache"
    assert made[0][:5] == ["-a", "-f", "-i", "-e", str(kernel_symbolizer.elf)]


def test_symbolizer_leaves_impossible_addresses_unknown(kernel_symbolizer):
    """A trace-ring slot with pc 0 is looked up at 0 - 1; the batch's other addresses are
    still symbolized (addr2line took `-0x1` for an option and failed the batch)."""
    got = kernel_symbolizer.lookup([PANIC_PC, -1, 1 << 64])
    assert got[PANIC_PC][0].function == "kmain"
    assert not got[-1][0].known and not got[1 << 64][0].known
    made = calls(Path(kernel_symbolizer.addr2line))
    assert made == [["-a", "-f", "-i", "-e", str(kernel_symbolizer.elf), hex(PANIC_PC)]]


def test_panic_with_an_empty_trace_slot_is_symbolized(kernel_symbolizer):
    """A hart's ring printed with an empty slot (`pc=0x0`), as a dump racing a trace
    write shows it: the panic is still symbolized."""
    lines = panic_log()
    at = next(i for i, line in enumerate(lines) if "trace ring" in line)
    lines.insert(at + 1, "  trace      0 t=0 none     pc=0x0 a=0x0 b=0x0")
    crash = find_crash(lines, symbolizer=kernel_symbolizer)
    assert crash.signature == ("KEEL PANIC: test panic requested on the command line in "
                               "kmain (os/kernel/core/main.c:178)")
    assert "  trace      0 t=0 none     pc=0x0 a=0x0 b=0x0  <- 0x0" in crash.describe()


def test_symbolizer_for_missing_kernel_is_none(tmp_path):
    assert Symbolizer.for_kernel(tmp_path / "nope.elf") is None
    (tmp_path / "k.elf").write_bytes(b"")
    assert Symbolizer.for_kernel(tmp_path / "k.elf").elf == tmp_path / "k.elf"


def test_panic_signature_symbolized(kernel_symbolizer):
    crash = find_crash(panic_log(), symbolizer=kernel_symbolizer)
    assert crash.kind == sig.PANIC and crash.lineno == 4 and crash.pc == PANIC_PC
    assert crash.signature == ("KEEL PANIC: test panic requested on the command line in "
                               "kmain (os/kernel/core/main.c:178)")
    assert crash.group == "KEEL PANIC: test panic requested on the command line in kmain"
    # panic() captured its own frame: the panicking hart's pc is not the panic pc, so its
    # ra adds no caller frame.
    assert [f.function for f in crash.frames] == ["kmain"]
    text = crash.describe()
    assert "  #0 0xffffffff80008730 kmain (os/kernel/core/main.c:178)" in text
    assert "  pc 0xffffffff800005fa arch_irq_enable (os/kernel/arch/riscv/arch.c:23) <- " \
           "sched_idle_loop (os/kernel/core/sched.c:318)" in text
    # trace-ring pcs are return addresses: looked up one byte earlier, shown as printed
    assert "pc=0xffffffff8000885a a=0xffffffff80008730 b=0x0  <- 0xffffffff8000885a " \
           "panic_common (os/kernel/core/panic.c:65)" in text
    assert "hart 3 (id 3):" in text


def test_panic_without_symbols_names_the_pc():
    crash = find_crash(panic_log())
    assert crash.signature == ("KEEL PANIC: test panic requested on the command line at "
                               "0xffffffff80008730")
    assert crash.group == "KEEL PANIC: test panic requested on the command line"
    assert crash.frames == [] and crash.details == []


def test_panic_when_addr2line_fails(tmp_path):
    broken = tmp_path / "broken"
    broken.write_text("#!/bin/sh\necho 'cannot read ELF' >&2\nexit 1\n")
    broken.chmod(0o755)
    crash = find_crash(panic_log(), symbolizer=Symbolizer(tmp_path / "k", addr2line=str(broken)))
    assert crash.signature.endswith("at 0xffffffff80008730")
    assert "not symbolized" in crash.details[0] and "cannot read ELF" in crash.details[0]


def test_trap_panic_adds_the_caller_from_ra(tmp_path):
    lines = [
        "KEEL PANIC: kernel load page fault, stval 0x10 at 0xffffffff80001000",
        "hart 0 (id 0), panicking:",
        "  pc  0xffffffff80001000 sstatus 0x0 scause 0xd stval 0x10",
        "  ra  0xffffffff80002008  sp  0xffffffff80010000",
        "hart 0 trace ring (newest last):",
        "keel: powering off",
    ]
    tool = fake_addr2line(tmp_path, {
        0xffffffff80001000: [("chan_lookup", "/k/os/kernel/core/channel.c:77"),
                             ("sys_msg_send", "/k/os/kernel/core/msg.c:30")],
        0xffffffff80002007: [("syscall_dispatch", "/k/os/kernel/core/syscall.c:12")],
    })
    crash = find_crash(lines, symbolizer=Symbolizer("k.elf", addr2line=str(tool),
                                                    source_root="/k"))
    assert crash.signature == ("KEEL PANIC: kernel load page fault, stval <addr> in "
                               "chan_lookup (os/kernel/core/channel.c:77)")
    assert [f.function for f in crash.frames] == ["chan_lookup", "sys_msg_send",
                                                  "syscall_dispatch"]
    assert crash.stack().splitlines()[2] == \
        "  #2 0xffffffff80002007 syscall_dispatch (os/kernel/core/syscall.c:12)"


def test_same_panic_other_build_same_group(kernel_symbolizer, tmp_path):
    first = find_crash(panic_log(), symbolizer=kernel_symbolizer)
    moved = [line.replace("0xffffffff80008730", "0xffffffff80008800") for line in panic_log()]
    tool = fake_addr2line(tmp_path, {0xffffffff80008800: [("kmain", "/s/os/main.c:190")]},
                          name="other-addr2line")
    second = find_crash(moved, symbolizer=Symbolizer("k", addr2line=str(tool),
                                                     source_root="/s"))
    assert first.signature != second.signature
    assert first.group == second.group


def test_user_fault(tmp_path):
    tool = fake_addr2line(tmp_path, {0x10234: [("parse_line", "/u/os/utils/sh/lex.c:88")]})
    lines = ["keel: all harts online",
             "mksh[12]: fault: load page fault at pc 0x10234 addr 0x0 (sig 11)"]
    crash = find_crash(lines, user_symbolizers={
        "mksh": Symbolizer("mksh.elf", addr2line=str(tool), source_root="/u")})
    assert crash.kind == sig.USER_FAULT and crash.program == "mksh" and crash.lineno == 2
    assert crash.signature == ("USER FAULT: mksh: load page fault at pc <addr> addr <addr> "
                               "(sig <n>) in parse_line (os/utils/sh/lex.c:88)")
    assert crash.group == ("USER FAULT: mksh: load page fault at pc <addr> addr <addr> "
                           "(sig <n>) in parse_line")
    bare = find_crash(["/bin/ls[7]: fault store access fault pc=0x1000"])
    assert bare.signature == "USER FAULT: ls: store access fault pc=<addr> at 0x1000"


def test_boot_failure_line():
    crash = find_crash(["Keel 0.1.0 ...", "keel: only 3 of 4 harts online"])
    assert crash.kind == sig.BOOT_FAILURE
    assert crash.signature == "BOOT FAILED: only <n> of <n> harts online"


def test_hang_needs_the_quiet_time():
    lines = ["keel: all harts online", "ok 38 timer_periodic_no_drift", ""]
    assert find_crash(lines) is None
    assert find_crash(lines, quiet_for=29.0, hang_after=30.0) is None
    crash = find_crash(lines, quiet_for=31.0, hang_after=30.0)
    assert crash.kind == sig.HANG and crash.lineno == 2
    assert crash.signature == "HANG: no console output after 'ok <n> timer_periodic_no_drift'"
    assert crash.group == crash.signature
    assert "quiet for 31 s" in crash.describe()
    assert find_crash([], quiet_for=60, hang_after=30).signature == \
        "HANG: no console output at all"


def test_an_expected_fault_gives_way_to_a_hang_or_boot_failure():
    """A boot that provokes user faults on purpose and then hangs is a hang: the first
    fault is the answer only when nothing of another kind is there."""
    fault = "child[957]: fault: illegal instruction at pc 0x10076, address 0x0; process killed"
    lines = ["keel: all harts online", fault, "kfuzz: 21153 calls left after 20 s"]
    assert find_crash(lines, quiet_for=31, hang_after=30).kind == sig.USER_FAULT
    hang = find_crash(lines, quiet_for=31, hang_after=30, expected=sig.USER_FAULT)
    assert hang.kind == sig.HANG and hang.lineno == 3
    expected = find_crash(lines, quiet_for=5, hang_after=30, expected=sig.USER_FAULT)
    assert expected.kind == sig.USER_FAULT and expected.lineno == 2
    failed = find_crash([*lines, "keel: boot failed: no init"], quiet_for=31, hang_after=30,
                        expected=sig.USER_FAULT)
    assert failed.kind == sig.BOOT_FAILURE and failed.lineno == 4
    assert find_crash(["keel: all harts online"], expected=sig.USER_FAULT) is None


def test_panic_wins_over_hang_and_fault():
    lines = ["x[1]: fault bad", *panic_log()]
    assert find_crash(lines, quiet_for=99, hang_after=1).kind == sig.PANIC


def test_real_addr2line_on_a_small_elf(tmp_path):
    """The cross addr2line the farm uses (installed with the kernel's tool chain) on an
    ELF built here: the function and line of an address inside a known function."""
    cc = shutil.which("riscv64-unknown-elf-gcc")
    assert cc, "riscv64-unknown-elf-gcc is part of the build dependencies"
    src = tmp_path / "prog.c"
    src.write_text("int helper(int x)\n{\n\treturn x * 3;\n}\n\n"
                   "void _start(void)\n{\n\tfor (;;)\n\t\thelper(2);\n}\n")
    elf = tmp_path / "prog.elf"
    subprocess.run([cc, "-g", "-O0", "-nostdlib", "-o", str(elf), str(src)], check=True)
    nm = subprocess.run(["riscv64-unknown-elf-nm", str(elf)], capture_output=True,
                        text=True, check=True).stdout
    helper = int(next(line.split()[0] for line in nm.splitlines()
                      if line.endswith(" helper")), 16)
    frames = Symbolizer(elf, source_root=tmp_path).frames(helper)
    assert frames[0].function == "helper" and frames[0].file == "prog.c"
    assert frames[0].line in (1, 2)


def test_program_symbolizers_by_name(tmp_path):
    tool = fake_addr2line(tmp_path, {0x11594: [("main", "/w/tests/target/t/t.c:307")]})
    programs = tmp_path / "bin"
    programs.mkdir()
    (programs / "ktest-user").write_bytes(b"\x7fELF")
    symbolizers = sig.ProgramSymbolizers(programs, addr2line=str(tool), source_root="/w")
    assert symbolizers.get("ls") is None
    line = ("ktest-user[1]: fault: load page fault at pc 0x11594, address 0xffffffff80000000;"
            " process killed")
    crash = find_crash(["x", line], user_symbolizers=symbolizers)
    assert crash.signature == ("USER FAULT: ktest-user: load page fault at pc <addr>, address "
                               "<addr>; process killed in main (tests/target/t/t.c:307)")
    assert symbolizers.get("ktest-user") is symbolizers.get("/bin/ktest-user")
