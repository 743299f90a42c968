"""Background processes of the local lab, tracked by pid files in the run directory.

A pid file holds the pid and the process's start time (from /proc), so a stale file
whose pid was reused by an unrelated process is recognised and never signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

STOP_TIMEOUT = 5.0


def _start_time(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (start time in clock ticks), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    # the command name (field 2) may hold spaces; it ends at the last ')'
    fields = stat[stat.rindex(")") + 2:].split()
    state = fields[0]
    if state in ("Z", "X"):
        return None
    return fields[19]


class Proc:
    """A named background process of the lab: ``<run_dir>/<name>.pid`` and ``.log``."""

    def __init__(self, run_dir: str, name: str):
        self.run_dir = run_dir
        self.name = name
        self.pidfile = os.path.join(run_dir, f"{name}.pid")
        self.logfile = os.path.join(run_dir, f"{name}.log")

    def pid(self) -> int | None:
        """The pid if the recorded process is still the one we started, else None."""
        try:
            with open(self.pidfile) as f:
                pid_s, started = f.read().split()
            pid = int(pid_s)
        except (OSError, ValueError):
            return None
        return pid if _start_time(pid) == started else None

    def alive(self) -> bool:
        return self.pid() is not None

    def start(self, cmd: list[str], cwd: str | None = None, env: dict | None = None) -> int:
        """Start ``cmd`` in its own session, output to the log file; record its pid."""
        with open(self.logfile, "ab") as log:
            log.write(f"--- {time.strftime('%F %T')} $ {' '.join(cmd)}\n".encode())
            log.flush()
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True, close_fds=True)
        started = None
        for _ in range(50):
            started = _start_time(proc.pid)
            if started is not None:
                break
            time.sleep(0.01)
        with open(self.pidfile, "w") as f:
            f.write(f"{proc.pid} {started}\n")
        self._popen = proc  # keep it so the zombie is reaped if it dies while we watch
        return proc.pid

    def exited(self) -> int | None:
        """Exit status if the process we started in this run has exited."""
        popen = getattr(self, "_popen", None)
        return popen.poll() if popen is not None else None

    def log_tail(self, lines: int = 5) -> str:
        try:
            with open(self.logfile, errors="replace") as f:
                return "".join(f.readlines()[-lines:]).rstrip()
        except OSError:
            return ""

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """SIGTERM, then SIGKILL after ``timeout``; True if something was stopped."""
        pid = self.pid()
        stopped = False
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while self.pid() is not None and time.monotonic() < deadline:
                self._reap()
                time.sleep(0.05)
            if self.pid() is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                while self.pid() is not None and time.monotonic() < deadline + 2.0:
                    self._reap()
                    time.sleep(0.05)
            stopped = True
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.pidfile)
        return stopped

    def _reap(self) -> None:
        popen = getattr(self, "_popen", None)
        if popen is not None:
            popen.poll()
