"""The shell at a logged-in prompt (issue: mksh, getty and login): pipelines,
subshells, command substitution, redirections, background jobs and wait, ^C and ^Z at
the terminal, a background reader stopped by SIGTTIN, exit statuses, cd and pwd,
globbing.  One boot: Keel comes up with no init=, the host logs in as keel and types
each command as a person would; every check runs and the test fails with the list of
those that did not hold.  /bin/conf-child is the external program (`sleep MS`,
`exit N`)."""

from __future__ import annotations

import re
import time

import pytest
from terminal import Session
from test_login import PROMPT, login

pytestmark = [pytest.mark.initrd, pytest.mark.login]

# (what, command, expected output, expected status)
CHECKS = [
    ("pipeline", "echo abc | { read x; echo \"got $x\"; }", "got abc\n", 0),
    ("pipeline into a loop", "echo one two | while read a b; do echo \"$b $a\"; done",
     "two one\n", 0),
    ("three-stage pipeline", "echo 5 | { read n; echo $((n*2)); } | { read m; echo $((m+1)); }",
     "11\n", 0),
    # fifty command substitutions of a three-stage pipeline: each forks and makes
    # pipes while the last one's children exit, so SIGCHLD keeps meeting a busy server
    # (pipe() once failed with EINTR there: "can't create pipe - try again")
    ("pipelines in a loop", ("i=0; while [ $i -lt 50 ]; do x=$(echo 5 | { read n; "
                             "echo $((n*2)); } | { read m; echo $((m+1)); }); "
                             "[ \"$x\" = 11 ] || break; i=$((i+1)); done; echo $i"), "50\n", 0),
    ("subshell keeps its cd", "(cd /bin; pwd); pwd", "/bin\n/home/keel\n", 0),
    ("command substitution", "echo \"[$(echo inner)] [$(echo $(echo deep))]\"",
     "[inner] [deep]\n", 0),
    ("stderr to /dev/null", "{ echo out; echo err >&2; } 2>/dev/null", "out\n", 0),
    ("stdout to /dev/null", "echo gone >/dev/null; echo kept", "kept\n", 0),
    ("input from a file", "read l < /etc/motd; echo \"$l\"", "Welcome to Keel.\n", 0),
    ("output to a file and back", "echo saved > /tmp/f1; read l < /tmp/f1; echo \"$l\"",
     "saved\n", 0),
    ("append to a file", ("echo a > /tmp/f2; echo b >> /tmp/f2; while read l; do "
                          "echo \"<$l>\"; done < /tmp/f2"), "<a>\n<b>\n", 0),
    ("here-string", "read x <<< 'here string'; echo \"$x\"", "here string\n", 0),
    ("exit status of a program", "/bin/conf-child exit 3", "", 3),
    ("exit status of a pipeline's last", "/bin/conf-child exit 3 | /bin/conf-child exit 4", "", 4),
    ("negation", "! false", "", 0),
    ("false", "false", "", 1),
    ("background job and wait", "/bin/conf-child sleep 300 & p=$!; wait $p; echo \"waited $?\"",
     "waited 0\n", 0),
    ("wait for a failing job", "/bin/conf-child exit 7 & wait $!", "", 7),
    ("cd and pwd", "cd /etc && pwd && cd .. && pwd", "/etc\n/\n", 0),
    ("cd to a missing directory fails", "cd /no/such/dir 2>/dev/null || echo refused",
     "refused\n", 0),
    ("globbing", "echo /etc/p*", "/etc/passwd /etc/profile\n", 0),
    ("glob in the current directory", "cd /etc; echo *d; cd", "motd passwd\n", 0),
    ("arithmetic and variables", "a=6; b=7; c=seven; echo $((a*b)) ${#c}", "42 5\n", 0),
]


def test_shell_smoke(keel_boot):
    strategy = keel_boot.strategy()
    keel_boot(append="", until=None)
    s = Session(strategy)
    failures = []
    try:
        login(s, "keel", "keel")
        s.expect(PROMPT)
        for what, command, want, want_rc in CHECKS:
            out, rc = s.run(command, PROMPT)
            # an interactive shell announces background jobs: "[1] 22"
            out = "".join(line for line in out.splitlines(keepends=True)
                          if not re.fullmatch(r"\[\d+\] \d+\n?", line))
            if (out, rc) != (want, want_rc):
                failures.append(f"{what}: `{command}` gave {out!r} status {rc}, "
                                f"want {want!r} status {want_rc}")

        # A here-document typed over three lines (the shell asks for more with "> ").
        s.line("while read l; do echo \"[$l]\"; done <<END")
        s.line("first line")
        s.line("second $((1+1))")
        s.line("END")
        m = s.expect(r"\[first line\]\r?\n\[second 2\]\r?\n", 15)
        s.expect(PROMPT)
        if not m:
            failures.append("here-document: its lines did not come back")

        # ^C at the terminal: SIGINT to the foreground job, the shell stays.
        s.line("/bin/conf-child sleep 100000")
        time.sleep(2)
        t0 = time.monotonic()
        s.type("\x03")
        s.expect(PROMPT, 15)
        if time.monotonic() - t0 > 10:
            failures.append("^C: the prompt came back only after the sleep ended")
        out, rc = s.run("echo \"after ^C\"", PROMPT)
        if out != "after ^C\n":
            failures.append(f"^C: the shell did not go on: {out!r}")

        # ^Z stops the foreground job; fg brings it back and waits for it.
        s.line("/bin/conf-child sleep 4000")
        time.sleep(1.5)
        s.type("\x1a")
        s.expect(r"[Ss]topped", 15)
        s.expect(PROMPT, 15)
        out, rc = s.run("jobs", PROMPT)
        if "conf-child sleep 4000" not in out:
            failures.append(f"^Z: `jobs` does not list the stopped job: {out!r}")
        t0 = time.monotonic()
        out, rc = s.run("fg", PROMPT, timeout=30)
        took = time.monotonic() - t0
        if rc != 0 or took < 1.0:
            failures.append(f"fg: status {rc} after {took:.1f} s (want 0, after the rest of "
                            f"the sleep): {out!r}")

        # A background job that reads the terminal stops (SIGTTIN) instead of taking the
        # shell's input; in the foreground it reads what is typed.
        s.line("/bin/cat &")
        s.expect(PROMPT, 15)
        out, rc = s.run("sleep 1; jobs", PROMPT)
        if not re.search(r"Stopped \(tty input\)\s+/bin/cat", out):
            failures.append(f"SIGTTIN: `jobs` does not show cat stopped for input: {out!r}")
        s.line("fg")
        time.sleep(1.0)
        s.line("to cat")
        s.expect(r"to cat\r?\n(.*\r?\n)?to cat\r?\n", 15)   # the echo, then cat's copy
        s.type("\x04")
        s.expect(PROMPT, 15)
        out, rc = s.run("echo after cat", PROMPT)
        if out != "after cat\n":
            failures.append(f"SIGTTIN: the shell did not go on after cat: {out!r}")
        s.line("exit")
        s.expect(r"login: ", 30)
    finally:
        s.close()
    assert not failures, "\n".join(failures)
