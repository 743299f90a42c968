"""`farm power PLACE on|off|cycle|status`: switch a held place's outlet."""

from __future__ import annotations

import time

from ..errors import FarmError
from ..lease import require_holder
from ..target import place_target
from .common import coordinator


def register(sub) -> None:
    p = sub.add_parser("power", help="switch the outlet of a place you hold")
    p.add_argument("place")
    p.add_argument("action", choices=["on", "off", "cycle", "status"])
    p.add_argument("--env", help="labgrid environment (default: by the place's board tag)")
    p.set_defaults(func=run)


def run(args) -> int:
    with coordinator(args) as coord:
        require_holder(coord, args.place, time.time())
        target = place_target(coord, args.place, args.env)
        try:
            power = target.get_driver("PowerProtocol")
            if args.action == "status":
                print(f"{args.place}: {'on' if power.get() else 'off'}")
            else:
                getattr(power, args.action)()
                print(f"{args.place}: power {args.action}")
        except FarmError:
            raise
        except Exception as e:
            raise FarmError(f"{args.place}: power {args.action} failed: {e}") from e
        finally:
            target.deactivate_all_drivers()
    return 0
