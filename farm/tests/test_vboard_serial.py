"""The vboard serial line: a pty that survives machines coming and going."""

import os
import select
import socket
import time

import pytest

from keelfarm.vboard.serial import SerialLine


def read_for(fd, want: bytes, timeout=3.0) -> bytes:
    got = b""
    deadline = time.monotonic() + timeout
    while want not in got and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            got += os.read(fd, 4096)
    return got


def connect(path) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(3.0)
    return s


def wait_connected(line, state=True):
    deadline = time.monotonic() + 3
    while line.connected != state and time.monotonic() < deadline:
        time.sleep(0.01)
    assert line.connected == state


@pytest.fixture
def line(tmp_path):
    line = SerialLine(str(tmp_path / "uart"))
    line.start()
    yield line
    line.close()


@pytest.fixture
def user(line):
    fd = os.open(line.path, os.O_RDWR | os.O_NOCTTY)
    yield fd
    os.close(fd)


def test_machine_output_reaches_the_pty_and_keys_reach_the_machine(line, user):
    machine = connect(line.socket_path)
    wait_connected(line)
    machine.sendall(b"OpenSBI v1.1\r\n")
    assert b"OpenSBI v1.1" in read_for(user, b"OpenSBI")
    os.write(user, b"help\n")
    assert machine.recv(100) == b"help\n"
    machine.close()


def test_a_new_machine_replaces_the_old_and_the_pty_stays(line, user):
    first = connect(line.socket_path)
    wait_connected(line)
    first.close()
    wait_connected(line, False)
    second = connect(line.socket_path)
    wait_connected(line)
    second.sendall(b"second boot\n")
    assert b"second boot" in read_for(user, b"second boot")
    second.close()


def test_keys_typed_with_no_machine_go_nowhere(line, user):
    os.write(user, b"lost\n")
    time.sleep(0.2)
    machine = connect(line.socket_path)
    wait_connected(line)
    os.write(user, b"kept\n")
    assert machine.recv(100) == b"kept\n"
    machine.close()


def test_flush_forgets_unread_output(line):
    machine = connect(line.socket_path)
    wait_connected(line)
    machine.sendall(b"stale prompt => ")
    time.sleep(0.2)
    line.flush()
    machine.sendall(b"fresh\n")
    fd = os.open(line.path, os.O_RDWR | os.O_NOCTTY)
    try:
        got = read_for(fd, b"fresh")
    finally:
        os.close(fd)
    assert got == b"fresh\n"
    machine.close()


def test_output_nobody_reads_is_bounded(tmp_path):
    line = SerialLine(str(tmp_path / "uart"), backlog_limit=1024)
    line.start()
    try:
        machine = connect(line.socket_path)
        wait_connected(line)
        for _ in range(200):
            machine.sendall(b"x" * 1000)
        deadline = time.monotonic() + 3
        while line.dropped == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert line.dropped > 0
        machine.close()
    finally:
        line.close()


def test_close_removes_the_socket(tmp_path):
    line = SerialLine(str(tmp_path / "uart"))
    line.start()
    line.close()
    assert not os.path.exists(tmp_path / "uart")
