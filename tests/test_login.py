"""Logging in on the console (issue: mksh, getty and login).  Keel boots with no init=,
so taskman starts /sbin/init, which brings up the services and a getty on the console;
the host types at the UART as a person would.  One boot per test function."""

from __future__ import annotations

import re
import time

import pytest
from terminal import Session

pytestmark = [pytest.mark.initrd, pytest.mark.login]

ACCOUNTS = {"root": ("root", 0, "#"), "keel": ("keel", 1000, "$")}
PROMPT = r"@keel:[^\r\n]*[$#] $"


def login(s: Session, user: str, password: str) -> None:
    s.expect(r"login: ", 60)
    s.line(user)
    s.expect(r"Password: $")
    s.line(password)


def logged_in(keel_boot):
    strategy = keel_boot.strategy()
    keel_boot(append="", until=None)
    return Session(strategy)


def test_login_root_and_keel_then_logout(keel_boot):
    s = logged_in(keel_boot)
    try:
        for user, (password, uid, _) in ACCOUNTS.items():
            login(s, user, password)
            s.expect("Welcome to Keel.")
            s.expect(PROMPT)
            out, rc = s.run("echo $USER $LOGNAME $HOME $SHELL $KSHUID $KSHEGID", PROMPT)
            home = "/root" if user == "root" else "/home/keel"
            assert (out.strip(), rc) == (f"{user} {user} {home} /bin/sh {uid} {uid}", 0), out
            out, rc = s.run("pwd", PROMPT)
            assert out.strip() == home
            s.line("exit")                  # logging out brings getty back
        s.expect(r"login: ", 30)
    finally:
        s.close()


def test_keel_cannot_read_shadow_but_root_can(keel_boot):
    """Also what a user leaves behind: a job of keel's that outlives its login cannot
    open the console again once getty has it back, and one that kept it open reads end
    of file (either would read the next user's name and password); ^Z at the prompt
    stops neither getty nor login."""
    s = logged_in(keel_boot)
    try:
        login(s, "keel", "keel")
        s.expect(PROMPT)
        out, rc = s.run("read line < /etc/shadow", PROMPT)
        assert rc != 0, f"keel read /etc/shadow: {out!r}"
        out, rc = s.run("read line < /etc/passwd && echo \"$line\"", PROMPT)
        assert (out.strip(), rc) == ("root:x:0:0:root:/root:/bin/sh", 0)
        # The job waits (10 s at most) until the console is no longer keel's, then
        # tries to open it: getty must have taken it back before the next login does.
        s.line("(trap '' HUP; i=0; while [ -O /dev/ser1 ] && [ $i -lt 10 ]; do sleep 1; "
               "i=$((i+1)); done; if (: </dev/ser1) 2>/dev/null; then echo opened; else echo refused; fi "
               ">/tmp/probe 2>/dev/null) &")
        s.expect(PROMPT)
        # A job that keeps the terminal it has (its stdin) reads from it after the
        # logout: getty has hung up every user's open of the line, so end of file.
        s.line("(trap '' HUP; sleep 6; read -r x; echo \"got:$x\" >/tmp/stolen) &")
        s.expect(PROMPT)
        s.line("exit")
        s.expect(r"login: ", 30)
        time.sleep(12)                      # both jobs have tried by now
        s.type("\x1a")                     # ^Z: for getty, nothing
        s.line("root")
        s.expect(r"Password: $", 10)
        s.type("\x1a")                     # and for login, nothing
        s.line("root")
        s.expect(PROMPT)
        out, rc = s.run("read line < /etc/shadow && echo \"${line%%:*}\"", PROMPT)
        assert (out.strip(), rc) == ("root", 0)
        out, rc = s.run("cat /tmp/probe", PROMPT)
        assert (out.strip(), rc) == ("refused", 0), f"keel's job after logout: {out!r}"
        out, rc = s.run("cat /tmp/stolen", PROMPT)
        assert (out.strip(), rc) == ("got:", 0), f"keel's job read after logout: {out!r}"
    finally:
        s.close()


def test_wrong_password_is_refused_after_a_delay(keel_boot):
    s = logged_in(keel_boot)
    try:
        delays = []
        s.expect(r"login: ", 60)
        s.line("keel")
        for attempt in range(3):
            s.expect(r"Password: $")
            t0 = time.monotonic()
            s.line(f"wrong{attempt}")
            s.expect(r"Login incorrect")
            delays.append(time.monotonic() - t0)
            if attempt < 2:
                s.expect(r"login: ")
                s.line("keel")
        # After the third failure login ends and getty asks again.
        s.expect(r"login: ", 30)
        assert all(d >= 2.0 for d in delays), f"refusals came after {delays} s, want >= 2 s"
        s.line("keel")
        s.expect(r"Password: $")
        s.line("keel")
        s.expect(PROMPT)                    # the right password still works
        s.line("exit")
        # A password typed at "login:" (an unknown name) is not written to the log,
        # which everyone may read; a password too long for login is refused whole
        # and its tail is not the next name.
        s.expect(r"login: ", 30)
        s.line("hunter2zz")
        s.expect(r"Password: $")
        s.line("x")
        s.expect(r"Login incorrect", 10)
        s.expect(r"login: ", 10)
        s.line("keel")
        s.expect(r"Password: $")
        s.line("keel" + "k" * 300)
        s.expect(r"Login incorrect", 10)
        s.expect(r"login: ", 10)
        s.line("keel")
        s.expect(r"Password: $")
        s.line("keel")
        s.expect(PROMPT)
        out, rc = s.run("sloginfo | grep -c hunter2zz; sloginfo | grep -c 'an unknown user'",
                        PROMPT)
        assert (out.split(), rc) == (["0", "1"], 0), f"the log of the failed logins: {out!r}"
        # A line keel writes as login's shows who wrote it: the writer's pid, and its uid.
        out, rc = s.run("echo '<37>login[57]: root logged in on /dev/ser1' > /dev/slog; "
                        "sh -c 'echo $$ > /tmp/w; echo \"<37>forged-by-$$\" > /dev/slog'; "
                        "sloginfo | grep 'root logged in on /dev/ser1$'; "
                        "sloginfo | grep -c \"forged-by-$(cat /tmp/w)\"", PROMPT)
        lines = out.splitlines()
        assert rc == 0 and lines[-1] == "1", f"the lines keel wrote: {out!r}"
        assert re.search(r" notice +login\[\d+ uid 1000\]: root logged in on /dev/ser1$",
                         lines[0]), f"keel's line as login's: {out!r}"
        # One user cannot push everyone else's lines out of the log (512 lines): keel's
        # lines keep to keel's share (64; the flood's first ones and the two above),
        # slogger says once that the rest were dropped, and the system's first line is
        # still there.
        out, rc = s.run("i=0; while [ $i -lt 600 ]; do echo \"<37>flood $i\" > /dev/slog; "
                        "i=$((i+1)); done; sloginfo | grep -c 'uid 1000\\]: '; "
                        "sloginfo | grep -c 'uid 1000\\]: flood 0$'; "
                        "sloginfo | grep -c 'uid 1000 is over its share of the log'; "
                        "sloginfo | grep -c 'slogger: the system log starts$'", PROMPT, timeout=120)
        assert rc == 0 and out.split()[-4:] == ["64", "1", "1", "1"], \
            f"after keel's flood: {out!r}"
        s.line("exit")
        s.expect(r"login: ", 30)
    finally:
        s.close()


def test_login_on_a_pseudo_terminal(keel_boot):
    """`pty COMMAND`, run by root at the console: COMMAND on a pseudo-terminal (devc-pty)
    in a session of its own while the console relays in raw mode, as a remote login
    would.  A command's exit status is pty's.  `pty /sbin/getty`: keel logs in there; the
    session's controlling terminal (/dev/tty) is the pseudo-terminal, login gave it to
    keel; job control works on it (^Z stops the foreground job, fg brings it back, ^C is
    the pseudo-terminal's VINTR); logging out ends the pair and gives root's shell on
    the console back."""
    s = logged_in(keel_boot)
    try:
        login(s, "root", "root")
        s.expect(PROMPT)
        out, rc = s.run("ls /dev/pts", PROMPT)
        assert (out.strip(), rc) == ("", 0), out       # no pair open yet
        out, rc = s.run("pty /bin/sh -c 'test -t 0 && test -t 1 && echo terminal; "
                        "ls /dev/pts; exit 7'", PROMPT)
        assert (out.split(), rc) == (["terminal", "0"], 7), out
        s.line("pty /sbin/getty")
        s.expect(r"login: ", 30)
        s.line("keel")
        s.expect(r"Password: $")
        s.line("keel")
        s.expect("Welcome to Keel.")
        s.expect(r"keel@keel:[^\r\n]*\$ $")
        out, rc = s.run("id -un; ls -l /dev/tty /dev/pts/0", PROMPT)
        assert rc == 0, out
        rows = out.split("\n")
        assert rows[0] == "keel", out
        for row in rows[1:3]:               # /dev/tty is the pty, and it is keel's
            assert row.split()[:4] == ["crw--w----", "1", "keel", "tty"], out
        s.line("/bin/sleep 100")
        time.sleep(1.0)
        s.type("\x1a")                      # ^Z: VSUSP of the pty, to the job's group
        s.expect(r"Stopped\s+/bin/sleep 100")
        s.expect(PROMPT)
        s.line("fg")
        s.expect(r"/bin/sleep 100")
        time.sleep(1.0)
        s.type("\x03")                      # ^C: VINTR, the job ends
        s.expect(PROMPT)
        out, rc = s.run("jobs; echo none", PROMPT)
        assert (out.strip(), rc) == ("none", 0), out
        s.line("exit")
        s.expect(r"root@keel:[^\r\n]*# $", 30)
        out, rc = s.run("echo back; ls /dev/pts", PROMPT)
        assert (out.strip(), rc) == ("back", 0), out    # the pair ended with the login
    finally:
        s.close()


def test_getty_on_a_pseudo_terminal_listed_in_etc_ttys(keel_boot):
    """/etc/ttys lists the named pseudo-terminal /dev/ttyp0 besides the console, so init
    keeps a getty on it from the boot on; `pty -m /dev/ptyp0` at root's console connects
    to its master.  The prompt was waiting there (getty wrote it before anyone
    connected); keel logs in, `tty` names the slave; a second connection is refused while
    one is up; logging out ends the connection (pty -m's status 0) and init starts a new
    getty, whose fresh prompt the next connection finds; "~." at a line's start leaves
    without logging in; the console never showed what init says of that getty."""
    s = logged_in(keel_boot)
    try:
        login(s, "root", "root")
        s.expect(PROMPT)
        out, rc = s.run("grep ttyp /etc/ttys; ls -l /dev/ptyp0 /dev/ttyp0", PROMPT)
        assert rc == 0, out
        rows = out.split("\n")
        assert rows[0].split() == ["/dev/ttyp0", "/sbin/getty"], out
        assert rows[1].split()[:4] == ["crw-rw-rw-", "1", "root", "root"], out
        assert rows[2].split()[:4] == ["crw--w----", "1", "root", "tty"], out
        s.line("pty -m /dev/ptyp0")
        s.expect(r"\(/dev/ttyp0\)", 30)            # getty's banner names its terminal
        login(s, "keel", "keel")
        s.expect("Welcome to Keel.")
        s.expect(r"keel@keel:[^\r\n]*\$ $")
        out, rc = s.run("tty; ls -l /dev/ttyp0; pty -m /dev/ptyp0", PROMPT)
        rows = out.split("\n")
        assert rows[0] == "/dev/ttyp0", out
        assert rows[1].split()[:4] == ["crw--w----", "1", "keel", "tty"], out
        assert rows[2] == "pty: cannot open /dev/ptyp0: Device or resource busy", out
        assert rc == 1, out
        s.line("exit")                                  # logout ends the connection
        s.expect(r"root@keel:[^\r\n]*# $", 30)
        out, rc = s.run("echo $?", PROMPT)
        assert (out.strip(), rc) == ("0", 0), out
        s.line("pty -m /dev/ptyp0")                     # a new getty, the pair made new
        s.expect(r"\(/dev/ttyp0\)", 30)
        s.expect(r"login: ", 30)
        s.type("~.")
        s.expect(r"root@keel:[^\r\n]*# $", 30)
        assert "getty on /dev/ttyp0" not in s.text(), \
            "init's words on the pty's getty reached the console"
        out, rc = s.run("ls -l /dev/ttyp0; sloginfo | grep -c 'starting /sbin/getty on "
                        "/dev/ttyp0'", PROMPT)
        rows = out.split("\n")
        assert rows[0].split()[:4] == ["crw--w----", "1", "root", "tty"], out
        assert int(rows[1]) >= 2, out                   # at the boot, after the logout
    finally:
        s.close()


def passwd_dialog(s: Session, *answers: str) -> None:
    """Answer passwd's last len(answers) prompts in order: the current password (asked
    of a user other than root), the new one and its retyping."""
    prompts = ["Current password: ", "New password: ", "Retype new password: "]
    for prompt, answer in zip(prompts[-len(answers):], answers):
        s.expect(prompt)
        s.line(answer)


def root_sets_keels_password(s: Session, new: str, said: str) -> None:
    """Log in as root, `passwd keel` with `new` (root is asked no old password), expect
    passwd to say `said`, log out; then keel logs in with its usual password."""
    login(s, "root", "root")
    s.expect(PROMPT)
    s.line("passwd keel")
    passwd_dialog(s, new, new)
    s.expect(said)
    s.expect(PROMPT)
    s.line("exit")
    login(s, "keel", "keel")
    s.expect(PROMPT)


@pytest.mark.disk
def test_passwd_changes_a_password_and_the_change_lasts(keel_boot):
    """With the disk, /etc is the disk's (init links it to /usr/etc, a copy of the boot
    image's /etc the build put there), so passwd can rewrite /etc/shadow.  keel changes its
    own password after giving the current one (passwd is set-user-ID root; shadow stays
    root's alone, 0600, and no temporary file is left); a wrong current password, two
    different new ones and keel asking to change root's are refused and change nothing; the
    old password is refused afterwards and the new one works, after a reboot too; root sets
    keel's back without the old one."""
    strategy = keel_boot.strategy()
    s = logged_in(keel_boot)
    try:
        login(s, "keel", "keel")
        s.expect(PROMPT)
        out, rc = s.run("ls -l /bin/passwd /etc/shadow; sloginfo | grep -c '/etc is /usr/etc'",
                        PROMPT)
        rows = out.split("\n")
        assert rc == 0, out
        assert rows[0].split()[0] == "-rwsr-xr-x" and rows[0].split()[2] == "root", out
        assert rows[1].split()[0] == "-rw-------" and rows[1].split()[2:4] == ["root", "root"], \
            out
        assert rows[2] == "1", out
        s.line("passwd")
        s.expect("Current password: ")
        s.line("wrong")
        s.expect("passwd: wrong password for keel; nothing changed")
        s.expect(PROMPT)
        out, rc = s.run("passwd root", PROMPT)
        assert rc == 1 and "only root may change another user's password (root)" in out, out
        s.line("passwd")
        passwd_dialog(s, "keel", "first1", "second2")
        s.expect("passwd: the two passwords differ; keel's is unchanged")
        s.expect(PROMPT)
        s.line("passwd")
        passwd_dialog(s, "keel", "s3cret", "s3cret")
        s.expect("passwd: the password of keel is changed.")
        s.expect(PROMPT)
        out, rc = s.run("ls /etc/nshadow; ls -l /etc/shadow", PROMPT)
        assert rc == 0 and "No such file or directory" in out, out
        assert out.strip().split("\n")[-1].split()[:4] == ["-rw-------", "1", "root", "root"], out
        s.line("exit")
        login(s, "keel", "keel")                        # the old password no longer works
        s.expect(r"Login incorrect")
        login(s, "keel", "s3cret")
        s.expect(PROMPT)
        s.line("exit")
        s.close()
        strategy.power_off()                            # the disk keeps what was written
        s = logged_in(keel_boot)
        login(s, "keel", "s3cret")
        s.expect(PROMPT)
        s.line("exit")
        root_sets_keels_password(s, "keel", "passwd: the password of keel is changed.")
    finally:
        s.close()
        strategy.reset_disk()                           # the next tests' disk as built


def test_passwd_without_a_writable_etc_changes_nothing(keel_boot):
    """Without the disk /etc is the boot image's, read-only: passwd says it cannot write
    /etc/shadow, leaves no trace, and the password is unchanged."""
    strategy = keel_boot.strategy()
    qemu = getattr(strategy, "qemu", None)
    strategy.power_off()
    disk = qemu.disk if qemu is not None else None
    if qemu is not None:
        qemu.disk = None                                # a QEMU place: boot without it
    try:
        s = logged_in(keel_boot)
        try:
            root_sets_keels_password(s, "other9", r"passwd: cannot write /etc/shadow: "
                                     r"Read-only file system; keel's password is unchanged")
            out, rc = s.run("mount; ls /etc/nshadow", PROMPT)
            assert " on /usr " not in out, out                  # no disk here
            assert rc != 0 and "No such file or directory" in out, out
        finally:
            s.close()
    finally:
        strategy.power_off()
        if qemu is not None:
            qemu.disk = disk


def pidin_rows(out: str) -> dict[str, dict[str, str]]:
    """pidin's table by program name: its columns by header name."""
    lines = out.splitlines()
    head = lines[0].split()
    assert head == ["pid", "ppid", "pgid", "sid", "uid", "euid", "state", "started", "name"], \
        out
    return {row[-1]: dict(zip(head, row)) for row in (line.split() for line in lines[1:])}


def test_pidin_slay_and_shutdown(keel_boot):
    """pidin lists what runs (the services as init's children, the shell in its own
    session); slay signals by name, and only what the user may signal; `shutdown` as keel
    is refused (init is root's); as root, init stops the sessions and the services, says
    so, and ends, and the system powers off by itself.  A session still there a second
    after its SIGHUP (here the shell's trap takes the first) gets it again, said."""
    strategy = keel_boot.strategy()
    s = logged_in(keel_boot)
    try:
        login(s, "keel", "keel")
        s.expect(PROMPT)
        out, rc = s.run("pidin", PROMPT)
        assert rc == 0, out
        procs = pidin_rows(out)
        init = procs["init"]
        assert (init["ppid"], init["uid"]) == ("1", "0"), out
        for service in ("bootfs", "devnull", "pipe", "tmpfs", "shmem",
                        "devc-ser8250" if "devc-ser8250" in procs else "devc-sersifive"):
            assert procs[service]["ppid"] == init["pid"], out
        shell, me = procs["sh"], procs["pidin"]
        assert (shell["ppid"], shell["uid"], shell["sid"]) == (init["pid"], "1000", shell["pid"])
        assert (me["ppid"], me["sid"], me["state"]) == (shell["pid"], shell["pid"], "R"), out
        out, rc = s.run("pidin -p tmpfs", PROMPT)
        assert rc == 0 and list(pidin_rows(out)) == ["tmpfs"], out
        out, rc = s.run("pidin -p no-such-program", PROMPT)
        assert rc == 1, out
        out, rc = s.run("slay tmpfs", PROMPT)
        assert rc == 1 and "slay: tmpfs (pid " in out and "Operation not permitted" \
            in out, out
        # slay finds a process by the name taskman has for it, which the background
        # child has only once its exec is done: wait for pidin to show it (at most 30 s).
        out, rc = s.run("/bin/conf-child sleep 100000 & n=0; until pidin -p conf-child "
                        ">/dev/null || [ $n -ge 30 ]; do sleep 1; n=$((n+1)); done; "
                        "slay conf-child; wait $!", PROMPT, timeout=60)
        assert rc == 128 + 15 and "slay: signal 15 to conf-child (pid " in out, out
        out, rc = s.run("slay -s KILL no-such-program", PROMPT)
        assert rc == 1 and "slay: no process named 'no-such-program'" in out, out
        out, rc = s.run("shutdown", PROMPT)
        assert rc == 1 and "shutdown: cannot signal init (pid " in out \
            and "Operation not permitted" in out, out
        s.line("exit")
        login(s, "root", "wrong")                # refused: the log says so
        s.expect(r"Login incorrect", 30)
        login(s, "root", "root")
        s.expect(PROMPT)
        out, rc = s.run("sloginfo", PROMPT)
        assert rc == 0, out
        log = out.splitlines()
        tty = re.search(r"login\[\d+\]: keel logged in on (\S+)", out)
        assert tty, out
        for pattern in (r" info +slogger: the system log starts$",
                        r" info +init\[\d+\]: starting /sbin/bootfs$",
                        rf" info +init\[\d+\]: starting /sbin/getty on {tty[1]}$",
                        r" notice +init\[\d+\]: /sbin/getty \(pid \d+\) exited with 0$",
                        rf" warning +login\[\d+\]: failed login for root on {tty[1]}$",
                        (rf" notice +login\[\d+\]: root logged in on {tty[1]} "
                         r"\(password read at \d+\.\d{6}\)$")):
            assert any(re.search(r"^ *\d+\.\d{3}" + pattern, line) for line in log), \
                f"no line like {pattern!r} in the log:\n{out}"
        out2, rc = s.run("sloginfo | wc -l", PROMPT)
        assert rc == 0 and int(out2) == len(log), (out2, out)
        # The shell lets the first SIGHUP only drop its trap: init must send it again.
        out, rc = s.run("trap 'trap - HUP' HUP", PROMPT)
        assert rc == 0, out
        s.line("shutdown")
        s.expect("shutdown: the system is going down")
        status = strategy.wait_exit(60.0)
        text = s.text()
    finally:
        s.close()
    assert status is not None, f"the system did not power off:\n{text[-2000:]}"
    lines = [line.strip() for line in text.splitlines()]
    # The shell's prompt may come back before init's first line: "...# init: shutting down"
    down = next((i for i, line in enumerate(lines) if line.endswith("init: shutting down")), None)
    assert down is not None, text[-2000:]
    # (the shell's prompt may come first on the line)
    stopped = [m[0] for line in lines
               if (m := re.search(r"init: \S+ \(pid \d+\) stopped after \d+ ms$", line))]
    for program in ("/sbin/getty", "/sbin/tmpfs", "/sbin/pipe", "/sbin/devnull",
                    "/sbin/bootfs"):
        assert any(line.startswith(f"init: {program} (pid ") for line in stopped), \
            f"{program} was not stopped:\n" + "\n".join(lines[-40:])
    assert not any("did not stop; killing it" in line for line in lines), text[-2000:]
    # (the shell's prompt may come first on the line)
    again = [m for line in lines if (m := re.search(
        r"init: /sbin/getty \(pid (\d+)\) still runs (\d+) ms after SIGHUP; sending it again$",
        line))]
    assert again and all(int(m[2]) >= 1000 for m in again), "\n".join(lines[-40:])
    late = [m for line in stopped if (m := re.match(
        rf"init: /sbin/getty \(pid {again[0][1]}\) stopped after (\d+) ms$", line))]
    assert late and int(late[0][1]) >= 1000, "\n".join(lines[-40:])
    assert down < lines.index("init: the system is down")
    assert any(line.startswith("keel: powering off") for line in lines), text[-2000:]


def test_shutdown_r_reboots_to_a_login_prompt(keel_boot):
    """`shutdown -r`: as keel it is refused (init is root's) and a bad option is a usage
    error; as root, init stops the sessions and the services as for a power-off, then
    asks taskman for the reset, and the kernel resets the machine through the firmware.
    The firmware starts again and Keel boots again (a board's U-Boot is caught and boots
    the same image) to a login prompt, in a boot that knows nothing of the first one (a
    file left in /tmp is gone)."""
    strategy = keel_boot.strategy()
    keel_boot(append="", until=None, reboots=True)
    s = Session(strategy)
    try:
        login(s, "keel", "keel")
        s.expect(PROMPT)
        out, rc = s.run("shutdown -r", PROMPT)
        assert rc == 1 and "shutdown: cannot signal init (pid " in out \
            and "Operation not permitted" in out, out
        s.line("exit")
        login(s, "root", "root")
        s.expect(PROMPT)
        out, rc = s.run("shutdown -x", PROMPT)
        assert rc == 2 and "usage: shutdown [-r]" in out, out
        out, rc = s.run("echo first-boot > /tmp/mark && cat /tmp/mark", PROMPT)
        assert (out.strip(), rc) == ("first-boot", 0), out
        s.line("shutdown -r")
        s.expect("shutdown: the system is going down for a reboot")
        strategy.boot_again(120)
        login(s, "root", "root")
        s.expect(PROMPT)
        out, rc = s.run("cat /tmp/mark", PROMPT)
        assert rc != 0 and "first-boot" not in out, out
        text = s.text()
    finally:
        s.close()
    lines = [line.strip() for line in text.splitlines()]
    # (the shell's prompt may come first on the line)
    stopped = [m[0] for line in lines
               if (m := re.search(r"init: \S+ \(pid \d+\) stopped after \d+ ms$", line))]
    for program in ("/sbin/getty", "/sbin/tmpfs", "/sbin/pipe", "/sbin/bootfs"):
        assert any(line.startswith(f"init: {program} (pid ") for line in stopped), \
            f"{program} was not stopped:\n" + "\n".join(lines[-60:])
    # init's first line may follow the shell's prompt on the same line: the prompt for the
    # next command comes out as init starts (two writers on one console)
    order = ["init: shutting down to reboot", "init: the system is down", "keel: rebooting"]
    at = [next((i for i, line in enumerate(lines) if line.endswith(want)), None)
          for want in order]
    assert None not in at, text[-3000:]
    assert at == sorted(at), at
    assert any(re.fullmatch(r"taskman: reboot asked by init \(pid \d+\)", line)
               for line in lines), text[-3000:]
    assert not any(line.startswith("keel: powering off") for line in lines)
    after = lines[lines.index("keel: rebooting") + 1:]
    assert any(re.match(r"OpenSBI v\d", line) for line in after), "\n".join(after[:40])
    assert any(re.match(r"Keel \S+ \(.*\) on ", line) for line in after) and \
        "keel: all harts online" in after, "\n".join(after[:60])
