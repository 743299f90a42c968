"""`farm release [PLACE...]`: switch the boards off and give the places back (default:
all you hold).  A board left running would keep its emulator (or its power supply)
busy for nobody; use --keep-power to leave it on."""

from __future__ import annotations

import sys
import time

from ..errors import FarmError
from ..lease import require_holder
from ..reserve import held_by_me, release
from ..target import place_target
from .common import coordinator


def register(sub) -> None:
    p = sub.add_parser("release", help="power off and release places you hold (default: all)")
    p.add_argument("places", nargs="*", metavar="PLACE")
    p.add_argument("--keep-power", action="store_true", help="leave the boards switched on")
    p.add_argument("--env", help="labgrid environment (default: by the place's board tag)")
    p.set_defaults(func=run)


def power_off(coord, name: str, env: str | None) -> None:
    """Best effort: a board that cannot be switched off is still released (and we say)."""
    try:
        target = place_target(coord, name, env)
        try:
            target.get_driver("PowerProtocol").off()
        finally:
            target.deactivate_all_drivers()
    except Exception as e:  # the release matters more than the power-off
        print(f"farm: {name}: could not switch it off ({e}); releasing anyway",
              file=sys.stderr)


def run(args) -> int:
    with coordinator(args) as coord:
        names = args.places or held_by_me(coord)
        if not names:
            raise FarmError("you hold no place")
        for name in names:
            require_holder(coord, name, time.time())
            if not args.keep_power:
                power_off(coord, name, args.env)
            release(coord, name, time.time())
            print(f"released {name}")
    return 0
