"""`farm release [PLACE...]`: give places back (default: all you hold)."""

from __future__ import annotations

import time

from ..errors import FarmError
from ..reserve import held_by_me, release
from .common import coordinator


def register(sub) -> None:
    p = sub.add_parser("release", help="release places you hold (default: all of them)")
    p.add_argument("places", nargs="*", metavar="PLACE")
    p.set_defaults(func=run)


def run(args) -> int:
    with coordinator(args) as coord:
        names = args.places or held_by_me(coord)
        if not names:
            raise FarmError("you hold no place")
        for name in names:
            release(coord, name, time.time())
            print(f"released {name}")
    return 0
