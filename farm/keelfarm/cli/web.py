"""`farm web`: the live dashboard over the results database.

    farm web                                   # http://127.0.0.1:8080/, build/results.db
    farm web --db postgresql://farm@db.lab/keel --host 0.0.0.0 -c coordinator.lab:20408
"""

from __future__ import annotations

import time

from .. import health, lease
from .campaign import add_db_option
from .common import coordinator


def register(sub) -> None:
    p = sub.add_parser("web", help="serve the live dashboard of the results database")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default "
                                                       "%(default)s)")
    p.add_argument("--port", type=int, default=8080, help="port (default %(default)s)")
    add_db_option(p)
    p.set_defaults(func=run)


def board_rows(args) -> list[dict]:
    """The coordinator's places as plain rows for the boards page."""
    with coordinator(args) as coord:
        rows = []
        for place in sorted(coord.places().values(), key=lambda p: p.name):
            until = lease.lease_until(place)
            rows.append({"name": place.name, "board": place.tags.get("board", "-"),
                         "health": health.health(place), "holder": place.acquired,
                         "lease": time.strftime("%Y-%m-%d %H:%M", time.localtime(until))
                         if until else None})
        return rows


def run(args) -> int:
    from ..results.web.app import create_app
    app = create_app(args.db, boards=lambda: board_rows(args))
    print(f"farm web: http://{args.host}:{args.port}/ (results {app.config['KEEL_DB'].safe_url})",
          flush=True)
    app.run(host=args.host, port=args.port, threaded=True)
    return 0
