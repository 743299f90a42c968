"""The target's console as a person at the terminal uses it: what is typed goes into the
UART, and what comes back is read byte for byte (the recorder's lines lose the carriage
returns and the prompts that end without a newline).  The console is QEMU's on a QEMU
target and the serial port (ser2net) on a board or vboard."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

from keelfarm.console import watch
from labgrid.step import steps

STEP_TIMEOUT = 30.0


def console_of(strategy):
    """The console driver a strategy boots on: a board's serial port, or QEMU."""
    console = getattr(strategy, "console", None)
    return console if console is not None else strategy.qemu


class RawTap:
    """Every byte read from the console, as it came."""

    def __init__(self, console):
        self.console = console
        self.data = bytearray()
        steps.subscribe(self._on_step)

    def _on_step(self, event) -> None:
        step = event.step
        if (step.source is self.console and step.tag == "console" and step.title == "read"
                and event.data.get("state") == "stop" and step.result):
            self.data += step.result

    def close(self) -> None:
        steps.unsubscribe(self._on_step)


class Session:
    """Typing at the booted target's console and reading what it answers."""

    def __init__(self, strategy):
        self.console = console_of(strategy)
        self.rec = strategy.recorder
        self.tap = RawTap(self.console)
        self.mark = 0                   # where the unread output starts in tap.data

    def close(self) -> None:
        self.tap.close()

    def text(self, start: int = 0) -> str:
        return self.tap.data[start:].decode("utf-8", "replace")

    def expect(self, pattern: str, timeout: float = STEP_TIMEOUT) -> re.Match:
        """Wait for `pattern` (a regex) in the output after the mark; the mark moves past
        it.  Fails with the output seen when it does not come."""
        rx = re.compile(pattern)
        found = None

        def seen():
            nonlocal found
            found = rx.search(self.text(self.mark))
            return found is not None
        watch(self.console, seen, timeout)
        assert found, (f"no {pattern!r} on the console within {timeout:.0f} s; after the "
                       f"last match it printed:\n{self.text(self.mark)[-1500:]}")
        self.mark += len(self.text(self.mark)[:found.end()].encode("utf-8"))
        return found

    def type(self, text: str, gap: float = 0.005) -> None:
        """Type `text` as a person would (a short gap between bytes)."""
        for b in text.encode():
            self.console.write(bytes([b]))
            if gap:
                time.sleep(gap)

    def line(self, text: str) -> None:
        self.type(text + "\r")

    def run(self, command: str, prompt: str, timeout: float = STEP_TIMEOUT) -> tuple[str, int]:
        """Run `command` at a shell prompt (already seen): (its output, its status), then
        wait for the next prompt matching `prompt`.  The status is the shell's own `$?`."""
        start = self.mark
        self.line(f"{command}; echo \"=rc=$?=\"")
        m = self.expect(r"=rc=(\d+)=\r?\n", timeout)
        chunk = self.tap.data[start:self.mark].decode("utf-8", "replace")
        chunk = chunk[:chunk.rfind("=rc=")]
        nl = chunk.find("\n")                 # the terminal's echo of the typed line
        out = chunk[nl + 1:] if nl >= 0 else ""
        self.expect(prompt, timeout)
        return out.replace("\r\n", "\n"), int(m.group(1))


SHELL_PROMPT = r"@keel:[^\r\n]*[$#] $"


class Console:
    """A Session used as a person logged in on it: log in and out with the image's
    accounts (whose passwords are their names), run commands at the shell's prompt."""

    def __init__(self, session: Session):
        self.s = session

    def login(self, user: str, timeout: float = 60.0) -> None:
        self.s.expect(r"login: ", timeout)
        self.s.line(user)
        self.s.expect(r"Password: $")
        self.s.line(user)
        self.s.expect(SHELL_PROMPT)

    def logout(self) -> None:
        self.s.line("exit")

    def run(self, command: str, timeout: float = 60.0) -> tuple[str, int]:
        return self.s.run(command, SHELL_PROMPT, timeout)

    def ok(self, command: str, timeout: float = 60.0) -> str:
        """Run `command`, which must succeed; its output."""
        out, rc = self.run(command, timeout)
        assert rc == 0, f"{command!r} exited {rc}:\n{out}"
        return out


@contextmanager
def root_console(keel_module_boot, append: str = ""):
    """Boot the module's target (with `append` on the kernel command line), log in as
    root at its console and give the Console; the session closes at the end."""
    strategy = keel_module_boot.strategy()
    keel_module_boot(append=append, until=None)
    s = Session(strategy)
    try:
        c = Console(s)
        c.login("root")
        yield c
    finally:
        s.close()
