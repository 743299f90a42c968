"""The virtual board's serial line: a pty that outlives the machine behind it.

A real board's USB serial adapter stays on the exporter when the board loses power; the
exporter's ser2net keeps it open across power cycles.  The vboard copies that: the pty is
created once per board and kept open (we hold the slave end, so ser2net closing it never
hangs it up), and every QEMU run connects its UART to a unix socket that this line relays
to and from the pty master.

Nobody is obliged to read the pty.  Output nobody reads is buffered up to a bound and
then dropped oldest-first, like bytes a UART sends into an unconnected cable; stale
output is thrown away when the board powers on, so a console never sees the previous
boot's prompt.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import select
import socket
import termios
import threading
import tty

# Bytes kept for a slow or absent reader before the oldest are dropped.
BACKLOG_LIMIT = 256 * 1024
POLL_INTERVAL = 0.1


def _set_nonblocking(fd: int) -> None:
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)


class SerialLine:
    """A pty (``path``) relayed to whichever machine connects to ``socket_path``.

    ``start()`` runs the relay on a daemon thread; ``close()`` stops it and frees the
    pty and the socket.  ``flush()`` drops everything not yet read by the pty's reader.
    """

    def __init__(self, socket_path: str, backlog_limit: int = BACKLOG_LIMIT):
        self.socket_path = socket_path
        self.backlog_limit = backlog_limit
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        _set_nonblocking(self.master)
        self.path = os.ttyname(self._slave)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(socket_path)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(socket_path)
        self._listener.listen(1)
        self._lock = threading.Lock()
        self._conn: socket.socket | None = None  # guarded by _lock
        self._to_pty = bytearray()  # guarded by _lock
        self.dropped = 0  # guarded by _lock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"serial:{self.path}",
                                        daemon=True)

    @property
    def connected(self) -> bool:
        """True while a machine is attached to the socket."""
        with self._lock:
            return self._conn is not None

    def start(self) -> None:
        self._thread.start()

    def flush(self) -> None:
        """Drop output not yet read through the pty, and input not yet sent to a machine."""
        with self._lock:
            self._to_pty.clear()
        termios.tcflush(self._slave, termios.TCIOFLUSH)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
        self._listener.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    # -- relay thread ------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                conn = self._conn
                pending = bool(self._to_pty)
            readers = [self._listener, self.master] + ([conn] if conn else [])
            writers = [self.master] if pending else []
            try:
                readable, writable, _ = select.select(readers, writers, [], POLL_INTERVAL)
            except (OSError, ValueError):
                if self._stop.is_set():
                    return
                raise
            if self._listener in readable:
                self._accept()
            if conn is not None and conn in readable:
                self._from_machine(conn)
            if self.master in readable:
                self._from_pty(conn)
            if self.master in writable:
                self._drain_to_pty()

    def _accept(self) -> None:
        new, _ = self._listener.accept()
        new.setblocking(False)
        with self._lock:
            old, self._conn = self._conn, new
        if old is not None:
            old.close()

    def _detach(self, conn: socket.socket) -> None:
        with self._lock:
            if self._conn is conn:
                self._conn = None
        conn.close()

    def _from_machine(self, conn: socket.socket) -> None:
        try:
            data = conn.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._detach(conn)
            return
        with self._lock:
            self._to_pty += data
            excess = len(self._to_pty) - self.backlog_limit
            if excess > 0:
                del self._to_pty[:excess]
                self.dropped += excess
        self._drain_to_pty()

    def _drain_to_pty(self) -> None:
        with self._lock:
            if not self._to_pty:
                return
            try:
                n = os.write(self.master, self._to_pty)
            except BlockingIOError:
                return
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                return
            del self._to_pty[:n]

    def _from_pty(self, conn: socket.socket | None) -> None:
        try:
            data = os.read(self.master, 65536)
        except (BlockingIOError, OSError):
            return
        if conn is None or not data:
            return  # typing into a powered-off board goes nowhere
        with contextlib.suppress(BlockingIOError, OSError):
            conn.sendall(data)
