"""`farm reserve --board TAG [--wait] [--lease 2h]`: get a place for yourself."""

from __future__ import annotations

import time

from .. import lease
from ..reserve import reserve
from .common import coordinator


def register(sub) -> None:
    p = sub.add_parser("reserve", help="reserve and lock a place, with a lease")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--board", metavar="TAG", help="any healthy place tagged board=TAG")
    which.add_argument("--place", metavar="NAME",
                       help="this place, healthy or not (for a health check)")
    p.add_argument("--wait", action="store_true", help="queue until a place is free")
    p.add_argument("--timeout", metavar="DURATION", help="with --wait: give up after this")
    p.add_argument("--lease", default="2h", metavar="DURATION",
                   help="how long the place is yours (default 2h)")
    p.set_defaults(func=run)


def run(args) -> int:
    duration = lease.parse_duration(args.lease)
    timeout = lease.parse_duration(args.timeout) if args.timeout else None
    with coordinator(args) as coord:
        got = reserve(coord, board=args.board, place=args.place, duration=duration,
                      wait=args.wait, timeout=timeout)
    print(f"reserved {got.place} until {lease.clock_time(got.until)} "
          f"(lease {lease.format_duration(got.until - time.time())})")
    print(f"export LG_PLACE={got.place}")
    return 0
