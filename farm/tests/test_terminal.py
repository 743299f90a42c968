"""The `farm console` terminal relay, with a fake serial port."""

import contextlib
import os

import pytest
import serial

from keelfarm.errors import FarmError
from keelfarm.terminal import relay


class FakePort:
    def __init__(self, incoming=b"", fail=False):
        self.incoming = bytearray(incoming)
        self.written = b""
        self.fail = fail

    @property
    def in_waiting(self):
        if self.fail:
            raise serial.SerialException("connection reset by peer")
        return len(self.incoming)

    def read(self, n):
        data = bytes(self.incoming[:n])
        del self.incoming[:n]
        return data

    def write(self, data):
        self.written += data


@pytest.fixture
def pipes():
    keys_r, keys_w = os.pipe()
    screen_r, screen_w = os.pipe()
    yield keys_r, keys_w, screen_r, screen_w
    for fd in (keys_r, keys_w, screen_r, screen_w):
        with contextlib.suppress(OSError):
            os.close(fd)


def test_keys_go_out_until_the_escape(pipes):
    keys_r, keys_w, _, screen_w = pipes
    port = FakePort()
    os.write(keys_w, b"help\r" + b"ver\x1dignored")
    relay(port, keys_r, screen_w)
    assert port.written == b"help\rver"


def test_board_output_reaches_the_screen(pipes):
    keys_r, keys_w, screen_r, screen_w = pipes
    port = FakePort(b"keel> ")
    os.close(keys_w)  # stdin ends after the first pass
    relay(port, keys_r, screen_w)
    assert os.read(screen_r, 100) == b"keel> "


def test_a_lost_connection_is_one_clear_error(pipes):
    keys_r, _, _, screen_w = pipes
    with pytest.raises(FarmError, match="console connection lost"):
        relay(FakePort(fail=True), keys_r, screen_w, poll=0.01)


def test_opening_a_console_nobody_serves():
    import socket

    from keelfarm.terminal import open_port

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FarmError, match=f"cannot open the console at 127.0.0.1:{port}"):
        open_port("127.0.0.1", port, timeout=1)
