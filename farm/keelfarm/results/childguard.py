"""A run's processes die with the command that started them.

A campaign killed with SIGKILL cannot stop its runs, and a pytest whose parent is gone
goes on booting, with its QEMU, while `--resume` starts the same run again.  So every
run goes through this guard, a small process between the command and pytest:

    farm campaign  --(own session)-->  guard  -->  pytest  -->  QEMU

The guard asks the kernel to send it SIGTERM when its parent dies (PR_SET_PDEATHSIG;
if the parent died before it asked, it stops at once).  On that signal it does what the
second Ctrl-C does — SIGINT to its process group, so pytest switches its targets off —
and after `GRACE` seconds kills whatever of the group is left.  pytest and the QEMU it
starts are in the guard's process group, so nothing outlives it.

The guard and pytest also keep the campaign's lock file open (`pass_fds`): the lock
(`flock`) is free only once the last process of the campaign has gone, which is how
`--resume` knows that no process still runs the campaign.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1
GRACE = 10.0


def wrap(command: list[str], parent: int | None = None) -> list[str]:
    """`command` run under the guard, for a parent of pid `parent` (default: us)."""
    return [sys.executable, "-m", "keelfarm.results.childguard", str(parent or os.getpid()),
            "--", *command]


def _end_group(child: subprocess.Popen) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.killpg(0, signal.SIGINT)
    deadline = time.monotonic() + GRACE
    while child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(0, signal.SIGKILL)  # the guard too: there is nobody left to tell


def main(argv: list[str]) -> int:
    parent, command = int(argv[0]), argv[2:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        print(f"childguard: prctl: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return 125
    if os.getppid() != parent:
        return 125  # the parent is already gone
    # Ctrl-C reaches pytest through the process group; the guard only waits.  A handler
    # (not SIG_IGN, which exec would pass on to pytest) keeps it alive.
    signal.signal(signal.SIGINT, lambda *_: None)
    child = subprocess.Popen(command, pass_fds=[int(fd) for fd in
                                                os.environ.get("KEEL_GUARD_FDS", "").split()
                                                if fd])
    signal.signal(signal.SIGTERM, lambda *_: _end_group(child))
    code = child.wait()
    return 128 - code if code < 0 else code  # killed by signal N: 128 + N, as a shell says


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
