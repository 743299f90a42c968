"""Run a command again whenever it exits asking to be run again.

labgrid's exporter exits with status 100 when it loses its coordinator, expecting a
supervisor (systemd's `RestartForceExitStatus=100` in labgrid's own unit) to start it
again.  The lab has no systemd, so the exporter runs under this loop: a coordinator
restart then costs the exporter a reconnect, not its boards.  Any other exit status
ends the loop with that status; SIGTERM is passed on to the command and ends it.

    python -m keelfarm.lab.supervise -- labgrid-exporter -c HOST:PORT ...
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

AGAIN = 100
PAUSE = 1.0


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1:] if "--" in argv else argv
    child: subprocess.Popen | None = None
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping or code != AGAIN:
            return code if code >= 0 else 128 - code
        print(f"supervise: {command[0]} asked to be started again (status {AGAIN})",
              file=sys.stderr, flush=True)
        time.sleep(PAUSE)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
