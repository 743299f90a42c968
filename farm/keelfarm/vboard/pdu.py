"""The vboard's PDU: an HTTP outlet with the semantics labgrid's REST power models expect.

labgrid ``NetworkPowerPort`` with ``model: simplerest`` and
``host: http://127.0.0.1:PORT/relay/{index}/{value}``:

- ``GET /relay/0/1`` switches outlet 0 on, ``GET /relay/0/0`` off;
- ``GET /relay/0`` answers ``1`` or ``0``.

The ``rest`` model (``host: http://127.0.0.1:PORT/relay/{index}/value``) works too:
``PUT /relay/0/value`` with body ``1``/``0`` switches, ``GET`` on it reads.
``GET /`` answers the board's status as JSON.  Each vboard has one outlet, index 0.

Not a PDU's, but the lab's: ``POST /disk/reset`` makes a board's disk a fresh copy of its
image (200), refused while the outlet is on (409) or when the board has no disk (404).
A physical board's PDU answers 404 there: its disk is rewritten from the board.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from .board import DiskError, PowerError

OUTLET = 0
REQUEST_TIMEOUT = 15.0  # seconds a client may take to send its request
_PATH = re.compile(r"^/relay/(?P<index>\d+)(?:/(?P<value>[^/]*))?/?$")


class Outlet(Protocol):
    """What the PDU switches (a VBoard, or a fake in tests)."""

    power: bool

    def set_power(self, on: bool) -> None: ...

    def reset_disk(self) -> None: ...

    def status(self) -> dict: ...


def parse_value(text: str) -> bool | None:
    """'1'/'on'/'true' -> True, '0'/'off'/'false' -> False, '' or 'value' -> None (a read);
    anything else raises ValueError."""
    text = text.strip().lower()
    if text in ("", "value"):
        return None
    if text in ("1", "on", "true"):
        return True
    if text in ("0", "off", "false"):
        return False
    raise ValueError(f"bad outlet value {text!r}")


class _Handler(BaseHTTPRequestHandler):
    server_version = "keel-vboard-pdu/1"
    timeout = REQUEST_TIMEOUT

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        self.server.log.debug("%s %s", self.address_string(), format % args)

    def _reply(self, code: int, body: str, ctype: str = "text/plain") -> None:
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _outlet(self):
        m = _PATH.match(self.path.split("?", 1)[0])
        if not m:
            self._reply(404, "no such path\n")
            return None, None
        if int(m["index"]) != OUTLET:
            self._reply(404, f"no outlet {m['index']}\n")
            return None, None
        return self.server.outlet, m["value"] or ""

    def _switch(self, outlet, on: bool) -> None:
        try:
            outlet.set_power(on)
        except PowerError as e:
            self._reply(504, f"{e}\n")
            return
        self._reply(200, "1" if outlet.power else "0")

    def do_GET(self):  # noqa: N802 - http.server naming
        if self.path in ("/", "/status"):
            self._reply(200, json.dumps(self.server.outlet.status()) + "\n", "application/json")
            return
        outlet, value = self._outlet()
        if outlet is None:
            return
        try:
            on = parse_value(value)
        except ValueError as e:
            self._reply(400, f"{e}\n")
            return
        if on is None:
            self._reply(200, "1" if outlet.power else "0")
        else:
            self._switch(outlet, on)

    def do_POST(self):  # noqa: N802 - http.server naming
        if self.path.split("?", 1)[0].rstrip("/") != "/disk/reset":
            self._reply(404, "no such path\n")
            return
        try:
            self.server.outlet.reset_disk()
        except DiskError as e:
            self._reply(404 if e.missing else 409, f"{e}\n")
            return
        except PowerError as e:
            self._reply(504, f"{e}\n")
            return
        self._reply(200, "reset\n")

    def do_PUT(self):  # noqa: N802 - http.server naming
        outlet, value = self._outlet()
        if outlet is None:
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 64)).decode(errors="replace") if length else ""
        try:
            on = parse_value(body)
        except ValueError as e:
            self._reply(400, f"{e}\n")
            return
        if on is None or value not in ("", "value"):
            self._reply(400, "PUT needs body 1 or 0 on /relay/<index>/value\n")
            return
        self._switch(outlet, on)


class PduServer(ThreadingHTTPServer):
    """An HTTP PDU for one outlet, listening on ``host:port`` (port 0 picks a free one)."""

    daemon_threads = True

    def __init__(self, outlet: Outlet, host: str = "127.0.0.1", port: int = 0, log=None):
        self.outlet = outlet
        self.log = log or logging.getLogger("vboard.pdu")
        super().__init__((host, port), _Handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, model: str = "simplerest") -> str:
        """The ``host`` value of a labgrid NetworkPowerPort for this PDU."""
        host = self.server_address[0]
        if model == "rest":
            return f"http://{host}:{self.port}/relay/{{index}}/value"
        return f"http://{host}:{self.port}/relay/{{index}}/{{value}}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                        name=f"pdu:{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=2.0)
        self.server_close()
