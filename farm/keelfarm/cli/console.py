"""`farm console PLACE`: an interactive serial console on a held place (Ctrl-] quits).

A Keel booted without init= (`farm boot`, `farm shell`, the default boot) has a getty
waiting on the console, which printed its prompt before anyone was listening; so the
console presses Enter once when it opens, and getty (or a logged-in shell) prompts
again.  With `--boot` the place is first booted with the image (no init=) and the
console opens at its `login:`.  A place that is switched off is said so.
"""

from __future__ import annotations

import os
import sys
import time

from ..console import MATCHED, watch
from ..errors import FarmError
from ..lease import require_holder
from ..target import place_target
from ..terminal import ESCAPE, open_port, raw_terminal, relay
from .common import coordinator

AVAIL_TIMEOUT = 10.0
LOGIN_TIMEOUT = 90.0


def register(sub) -> None:
    p = sub.add_parser("console", help="serial console of a place you hold (Ctrl-] quits)")
    p.add_argument("place")
    p.add_argument("--env", help="labgrid environment (default: by the place's board tag)")
    p.add_argument("--boot", action="store_true",
                   help="boot --image without init= first and open at its login prompt")
    p.add_argument("--image", default="build/os/Image",
                   help="kernel for --boot (default build/os/Image)")
    p.add_argument("--no-enter", action="store_true",
                   help="do not press Enter when the console opens")
    p.set_defaults(func=run)


def boot_to_login(target, image: str, timeout: float = LOGIN_TIMEOUT) -> None:
    """Boot ``image`` without init= and wait for the getty's login prompt."""
    if not os.path.isfile(image):
        raise FarmError(f"image {image} not found")
    strategy = target.get_driver("UnmatchedStrategy")
    strategy.image = os.path.abspath(image)
    strategy.configure(append="")
    strategy.transition("booted")
    rec = strategy.recorder
    if watch(strategy.console, lambda: rec.partial.endswith("login: "), timeout) != MATCHED:
        raise FarmError(f"{target.name}: booted, but no login prompt within "
                        f"{timeout:.0f} s") from None


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
        try:
            if args.boot:
                boot_to_login(target, args.image)
            elif not target.get_driver("PowerProtocol").get():
                print(f"farm: {args.place} is switched off (farm console --boot boots "
                      "it to its login prompt)", file=sys.stderr)
        finally:
            target.deactivate_all_drivers()  # the serial port takes one client
        serial_port = open_port(host, port)
        name = "Ctrl-]" if ESCAPE == b"\x1d" else repr(ESCAPE)
        print(f"farm: console of {args.place} ({host}:{port}); {name} quits", file=sys.stderr)
        if not args.no_enter:
            serial_port.write(b"\r")  # getty (or the shell) prompts again
        try:
            with raw_terminal(sys.stdin.fileno()):
                relay(serial_port, sys.stdin.fileno(), sys.stdout.fileno())
        finally:
            serial_port.close()
    print("\nfarm: console closed", file=sys.stderr)
    return 0
