"""A throw-away PostgreSQL server for tests: initdb into a temporary directory, started
with pg_ctl on a free loopback port, trust authentication, stopped and removed after.

PostgreSQL refuses to run as root; as root the server runs as the `postgres` system
user (Debian's package creates it) through runuser, and the data directory is given to
that user.  The binaries come from `pg_config --bindir` or Debian's
/usr/lib/postgresql/<version>/bin.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

DB_USER = "keel"


def bindir() -> Path:
    """Where initdb and pg_ctl are; AssertionError if PostgreSQL is not installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.insert(0, out.stdout.strip())
    for path in candidates:
        if path and (Path(path) / "initdb").is_file():
            return Path(path)
    raise AssertionError("PostgreSQL server binaries not found (ci/install-deps.sh installs "
                         "Debian's postgresql)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.bin = bindir()
        self.dir = Path(tempfile.mkdtemp(prefix="keel-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{DB_USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str, timeout: float = 60) -> None:
        proc = subprocess.run([*self.as_user, *argv], capture_output=True, text=True,
                              timeout=timeout)
        if proc.returncode != 0:
            log = self.dir / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise AssertionError(f"{' '.join(argv)} failed ({proc.returncode}):\n"
                                 f"{proc.stdout}{proc.stderr}{tail}")

    def start(self) -> PostgresServer:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", DB_USER,
                  "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions")
        options = (f"-p {self.port} -h 127.0.0.1 -k {self.dir} -F "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def postgres_server():
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.stop()
