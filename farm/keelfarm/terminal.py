"""An interactive serial console over the network: the terminal of `farm console`.

Copies the user's keystrokes to a serial port served by ser2net (telnet with RFC 2217,
as the labgrid exporter runs it) and the port's output to the screen, with the terminal
in raw mode; Ctrl-] ends the session.
"""

from __future__ import annotations

import contextlib
import os
import select
import termios
import tty

from .errors import FarmError

ESCAPE = b"\x1d"  # Ctrl-]


@contextlib.contextmanager
def raw_terminal(fd: int):
    """Raw mode on ``fd`` for the duration, if it is a terminal."""
    if not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    tty.setraw(fd)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def relay(port, stdin: int, stdout: int, escape: bytes = ESCAPE, poll: float = 0.05) -> None:
    """Shuttle bytes between the pyserial-like ``port`` and the two fds until the escape
    byte is typed, stdin ends, or the port fails (FarmError)."""
    import serial

    try:
        while True:
            waiting = port.in_waiting
            if waiting:
                os.write(stdout, port.read(waiting))
            readable, _, _ = select.select([stdin], [], [], poll)
            if not readable:
                continue
            data = os.read(stdin, 1024)
            cut = data.find(escape)
            if cut >= 0:
                data = data[:cut]
            if data:
                port.write(data)
            if cut >= 0 or not data:
                return
    except (serial.SerialException, OSError) as e:
        raise FarmError(f"console connection lost: {e}") from None


def open_port(host: str, port: int, timeout: float = 5.0):
    """The ser2net port as a pyserial RFC 2217 client (``timeout`` bounds the option
    negotiation; pyserial's RFC 2217 client has no write timeout)."""
    import serial

    try:
        return serial.serial_for_url(f"rfc2217://{host}:{port}?ign_set_control"
                                     f"&timeout={timeout:g}", timeout=0.1)
    except (serial.SerialException, OSError) as e:
        raise FarmError(f"cannot open the console at {host}:{port}: {e}") from None
