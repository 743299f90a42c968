"""`farm console PLACE`: an interactive serial console on a held place (Ctrl-] quits)."""

from __future__ import annotations

import sys
import time

from ..errors import FarmError
from ..lease import require_holder
from ..target import place_target
from ..terminal import ESCAPE, open_port, raw_terminal, relay
from .common import coordinator

AVAIL_TIMEOUT = 10.0


def register(sub) -> None:
    p = sub.add_parser("console", help="serial console of a place you hold (Ctrl-] quits)")
    p.add_argument("place")
    p.add_argument("--env", help="labgrid environment (default: by the place's board tag)")
    p.set_defaults(func=run)


def serial_endpoint(target, timeout: float = AVAIL_TIMEOUT) -> tuple[str, int]:
    """Host and port of the place's ser2net, once the exporter has started it."""
    from labgrid.resource import NetworkSerialPort

    resource = target.get_resource(NetworkSerialPort, wait_avail=False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        target.update_resources()
        if resource.avail and resource.port:
            return resource.host, resource.port
        time.sleep(0.2)
    raise FarmError(f"the serial port of {target.name} is not available (exporter down?)")


def run(args) -> int:
    with coordinator(args) as coord:
        require_holder(coord, args.place, time.time())
        target = place_target(coord, args.place, args.env)
        host, port = serial_endpoint(target)
        serial_port = open_port(host, port)
        name = "Ctrl-]" if ESCAPE == b"\x1d" else repr(ESCAPE)
        print(f"farm: console of {args.place} ({host}:{port}); {name} quits", file=sys.stderr)
        try:
            with raw_terminal(sys.stdin.fileno()):
                relay(serial_port, sys.stdin.fileno(), sys.stdout.fileno())
        finally:
            serial_port.close()
    print("\nfarm: console closed", file=sys.stderr)
    return 0
