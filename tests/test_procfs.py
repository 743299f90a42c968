"""/proc (issue: taskman): the procfs server init starts, read by root at the console of
a booted target.  Every file is checked against what the shell itself knows of the same
processes ($$, $PPID, $!, ids), a stopped job shows as stopped, a process that ended is
gone, and nothing under /proc can be written."""

from __future__ import annotations

import pytest
from terminal import Console, root_console

pytestmark = [pytest.mark.initrd, pytest.mark.login]


@pytest.fixture(scope="module")
def booted(keel_module_boot):
    with root_console(keel_module_boot) as c:
        yield c


def status(c: Console, pid: str) -> dict[str, str]:
    out = c.ok(f"cat /proc/{pid}/status")
    fields = {}
    for line in out.strip().split("\n"):
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def test_proc_lists_self_and_the_live_processes(booted):
    c = booted
    names = c.ok("ls /proc").split()
    shell = c.ok("echo $$").strip()
    assert "self" in names and "1" in names and shell in names, names
    assert c.ok(f"ls /proc/{shell}").split() == ["cmdline", "status", "threads"]


def test_status_is_the_shells_own(booted):
    c = booted
    shell, parent = c.ok("echo $$ $PPID").split()
    st = status(c, shell)
    assert st["Pid"] == shell and st["PPid"] == parent, st
    assert st["State"] == "R (running)", st
    assert st["Uid"].split() == ["0", "0"] and st["Gid"].split() == ["0", "0"], st
    assert st["Sid"] == st["Pgid"] == shell, st       # a login shell leads its session
    assert st["Name"].endswith("sh"), st
    assert int(st["Threads"]) == 1, st                  # mksh has one
    assert float(st["Started"]) > 0, st
    taskman = status(c, "1")
    assert taskman["Pid"] == "1" and taskman["PPid"] == "0", taskman


def test_status_counts_memory(booted):
    """Memory is what the process's address space maps (the kernel's count, through
    taskman), Shared its pages of shared memory objects, CopyOnWrite its RAM still
    shared with a process it forked or was forked from: a subshell (a fork of the
    shell) shares pages with the shell until either writes them."""
    c = booted
    shell = c.ok("echo $$").strip()
    st = status(c, shell)
    mem, shared = int(st["Memory"]), int(st["Shared"])
    assert mem > 64 * 1024 and mem % 4096 == 0, st
    assert shared == 0, st
    sub = c.ok("( /bin/sleep 300; true ) & echo $!").strip().split()[-1]
    try:
        c.ok("/bin/sleep 1")
        child = status(c, sub)
        assert int(child["CopyOnWrite"]) > 0 and int(child["CopyOnWrite"]) % 4096 == 0, child
        assert int(child["CopyOnWrite"]) <= int(child["Memory"]), child
    finally:
        # SIGKILL: the subshell of an interactive shell keeps SIGTERM ignored
        c.ok(f"kill -9 {sub}; wait; true")
    taskman = status(c, "1")
    assert int(taskman["Memory"]) > 0, taskman


def test_dev_shmem_is_served_by_init(booted):
    """The shared memory objects' directory (shm_open's names, served by /sbin/shmem,
    which init starts): sticky and open to all as /tmp, empty after boot, and a name
    that is not there is ENOENT (conf-fork checks the objects themselves)."""
    c = booted
    out = c.ok("ls -ld /dev/shmem")
    assert out.split()[0] == "drwxrwxrwt", out
    assert c.ok("ls -a /dev/shmem").split() == [".", ".."]
    out, rc = c.run("ls /dev/shmem/none")
    assert rc != 0 and "No such file or directory" in out, out


def test_threads_say_what_they_wait_for(booted):
    """A reader of an empty pipe waits for the pipe server's reply: its thread is REPLY
    blocked on that server's pid."""
    c = booted
    pipe_server = c.ok("pidin -p pipe").strip().split("\n")[1].split()[0]
    job = c.ok("/bin/sleep 300 | /bin/cat > /dev/null & echo $!").strip().split()[-1]
    try:
        c.ok("/bin/sleep 1")
        lines = c.ok(f"/bin/cat /proc/{job}/threads").strip().split("\n")
        assert lines[0].split() == ["tid", "state", "prio", "base", "policy", "blocked",
                                    "cpu_ms", "harts", "name"], lines
        rows = [line.split() for line in lines[1:]]
        assert len(rows) == int(status(c, job)["Threads"]) == 1, rows
        tid, state, prio, base, policy, blocked, cpu_ms = rows[0][:7]
        assert (state, blocked) == ("REPLY", pipe_server), rows
        assert int(prio) >= int(base) > 0 and policy in ("FIFO", "RR", "OTHER"), rows
        assert int(cpu_ms) >= 0 and int(tid) > 0, rows
    finally:
        c.ok("kill %1; wait; true")


def test_pidin_shows_every_thread_from_proc(booted):
    """pidin -t reads /proc: QNX's columns, a line per thread; a sleeper waits on its
    semaphore (Keel's nanosleep), a pipe reader for the pipe server's reply."""
    c = booted
    shell = c.ok("echo $$").strip()
    pipe_server = c.ok("pidin -p pipe").strip().split("\n")[1].split()[0]
    c.ok("/bin/sleep 300 | /bin/cat > /dev/null & true")
    try:
        c.ok("/bin/sleep 1")
        lines = c.ok("pidin -t").strip().split("\n")
        assert lines[0].split() == ["pid", "tid", "name", "prio", "STATE", "Blocked"], lines
        rows = [line.split() for line in lines[1:]]
        assert {r[0] for r in rows} >= {"1", shell, pipe_server}, rows
        assert ["REPLY", pipe_server] in [r[4:] for r in rows if r[2] == "cat"], rows
        assert ["SEM"] in [r[4:] for r in rows if r[2] == "sleep"], rows
        assert all(r[3][-1] in "fro" for r in rows), rows
    finally:
        c.ok("kill %1; wait; true")


def test_self_is_the_reader(booted):
    c = booted
    shell = c.ok("echo $$").strip()
    st = {k: v.strip() for k, _, v in (line.partition(":") for line in
          c.ok("/bin/cat /proc/self/status").strip().split("\n"))}
    assert st["PPid"] == shell and st["Pid"] != shell, st


def test_cmdline_and_a_stopped_job(booted):
    c = booted
    job = c.ok("/bin/sleep 300 & echo $!").strip().split()[-1]
    try:
        c.ok("/bin/sleep 0.5")                  # the fork has run its exec by then
        assert c.ok(f"tr '\\0' ' ' < /proc/{job}/cmdline; echo").strip() == "/bin/sleep 300"
        c.ok(f"kill -STOP {job}")
        assert status(c, job)["State"] == "T (stopped)"
    finally:
        c.ok(f"kill -9 {job}; wait {job} 2>/dev/null; true")
    out, rc = c.run(f"cat /proc/{job}/status")
    assert rc != 0 and "No such file" in out, out


def test_nothing_can_be_written(booted):
    c = booted
    shell = c.ok("echo $$").strip()
    out, rc = c.run(f"echo x > /proc/{shell}/status")
    assert rc != 0 and "Read-only file system" in out, out
    out, rc = c.run("touch /proc/new")
    assert rc != 0, out
    out, rc = c.run("cat /proc/0/status")
    assert rc != 0 and "No such file" in out, out


def thread_row(c: Console, command: str) -> dict[str, str]:
    """The one thread of `command` reading its own /proc/self/threads, by column."""
    lines = c.ok(command).strip().split("\n")
    assert len(lines) == 2, lines
    return dict(zip(lines[0].split(), lines[1].split()))


def test_on_runs_a_command_on_the_harts_and_at_the_priority_given(booted):
    """`on` (QNX's) sets its thread's run mask (-C one hart, -R a mask) and priority and
    policy (-p), then becomes the command, which keeps them: the command's own
    /proc/self/threads shows them.  Without on, a command may run on every hart the
    system has (/sys/harts).  A hart the system lacks, a bad priority and a missing
    command are refused with a reason and on's documented status."""
    c = booted
    rows = [line.split() for line in c.ok("cat /sys/harts").strip().split("\n")]
    assert [r[0] for r in rows] == [str(i) for i in range(len(rows))], rows   # by index
    harts = sum(r[2] == "online" for r in rows)
    assert harts == len(rows) >= 1, rows
    plain = thread_row(c, "cat /proc/self/threads")
    assert int(plain["harts"], 16) == (1 << harts) - 1, plain
    last = harts - 1
    row = thread_row(c, f"on -C {last} -p 20f cat /proc/self/threads")
    assert (row["harts"], row["base"], row["policy"]) == (hex(1 << last), "20", "FIFO"), row
    row = thread_row(c, "on -R 0x1 -p 12 cat /proc/self/threads")
    assert (row["harts"], row["base"]) == ("0x1", "12"), row
    out, rc = c.run(f"on -C {harts} true")
    assert rc == 2 and "no such hart here" in out, (out, rc)
    out, rc = c.run("on -p 300 true")
    assert rc == 2 and "bad priority" in out, (out, rc)
    out, rc = c.run("on -C 0 /bin/no-such-command")
    assert rc == 127 and "cannot run /bin/no-such-command" in out, (out, rc)


def test_dev_lists_the_names_servers_attached(booted):
    """/dev is a directory of the path space (no file system has it): procfs lists the
    names one level below it, each once, and ls -l stats each at its own server.  The
    terminal the shell runs on is found there by name (tty: ttyname over /dev)."""
    c = booted
    names = c.ok("ls /dev").split()
    for name in ("null", "zero", "console", "ptmx", "pts", "slog", "shmem", "tty"):
        assert name in names, names
    assert len(names) == len(set(names)), names
    assert c.ok("ls -ld /dev").startswith("dr-xr-xr-x"), "/dev is no directory"
    null = c.ok("ls -l /dev/null")
    assert null.startswith("c"), null
    pts = c.ok("ls -ld /dev/pts")
    assert pts.startswith("d"), pts
    tty = c.ok("tty").strip()
    assert tty.startswith("/dev/") and tty not in ("/dev/tty", "/dev/console"), tty
    assert tty[len("/dev/"):].split("/")[0] in names, (tty, names)
    out, rc = c.run("ls /dev/nosuchdir/")
    assert rc != 0 and "No such file" in out, out


def test_root_lists_what_is_mounted_in_it(booted):
    """The root file system does not hold /dev, /proc, /sys or /tmp: they are names of
    the path space, which libc's readdir adds after the file system's own entries, each
    once (bin, which the root file system has, too)."""
    c = booted
    names = c.ok("ls /").split()
    for name in ("bin", "etc", "dev", "proc", "sys", "tmp"):
        assert name in names, names
    assert len(names) == len(set(names)), names
    rows = {row.split()[-1]: row for row in c.ok("ls -l /").splitlines()[1:]}
    for name in ("dev", "proc", "sys", "tmp"):
        assert rows[name].startswith("d"), rows[name]
