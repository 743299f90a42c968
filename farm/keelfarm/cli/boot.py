"""`farm boot PLACE --image build/os/Image`: boot an image on a held place, print the
boot-stage timings, and keep the board's health up to date (itself, saying what
changed: it does not listen to the strategy's boots as the pytest plugin does)."""

from __future__ import annotations

import contextlib
import json
import os
import time

from .. import health
from ..errors import FarmError
from ..lease import require_holder
from ..stages import format_stages
from ..target import place_target
from .common import coordinator


def register(sub) -> None:
    p = sub.add_parser("boot", help="boot an image on a place you hold")
    p.add_argument("place")
    p.add_argument("--image", required=True, help="kernel Image to stage by TFTP and booti")
    p.add_argument("--append", help="kernel command line (U-Boot bootargs)")
    p.add_argument("--env", help="labgrid environment (default: by the place's board tag)")
    p.add_argument("--log-dir", default="build/farm/console",
                   help="console logs (default build/farm/console)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def boot(strategy, place: str, image: str, append: str | None, log_dir: str) -> str:
    """Boot ``image`` to 'booted' (errors.BootError names the stage that failed);
    returns the console log's path."""
    os.makedirs(log_dir, exist_ok=True)
    log = os.path.join(log_dir, f"{place}-{time.strftime('%Y%m%d-%H%M%S')}.log")
    strategy.image = os.path.abspath(image)
    strategy.configure(append=append, log_path=log)
    strategy.transition("booted")
    return log


@contextlib.contextmanager
def held_target(args):
    """(coordinator, target) of `args.place`, which the caller must hold, for booting
    `args.image` on it; the target's drivers are deactivated on the way out."""
    if not os.path.isfile(args.image):
        raise FarmError(f"image {args.image} not found")
    with coordinator(args) as coord:
        require_holder(coord, args.place, time.time())
        target = place_target(coord, args.place, args.env)
        try:
            yield coord, target
        finally:
            target.deactivate_all_drivers()


def run(args) -> int:
    with held_target(args) as (coord, target):
        strategy = None
        try:
            strategy = target.get_driver("UnmatchedStrategy")
            log = boot(strategy, args.place, args.image, args.append, args.log_dir)
        except Exception as e:
            _report_failure(coord, args, strategy, e)
        note = health.record_pass(coord, args.place)
    _report_success(args, strategy, log)
    if note:
        print(f"farm: {note}")
    return 0


def _report_success(args, strategy, log: str) -> None:
    banner = strategy.banner
    if args.json:
        print(json.dumps({"place": args.place, "ok": True, "stages": strategy.stages,
                          "banner": banner.__dict__ if banner else None, "log": log}))
        return
    print(f"{args.place}: booted {args.image} (console log {log})")
    if banner:
        print(f"  Keel {banner.version} ({banner.git}) on {banner.compatible}, "
              f"{banner.nharts} harts, {banner.mib} MiB")
    print(format_stages(strategy.stages))


def _report_failure(coord, args, strategy, error: Exception) -> None:
    """Print what the boot reached, count it against the board if it is the board's
    fault, and raise the one-line error."""
    note = health.record_failure(coord, args.place, error)
    stages = strategy.stages if strategy is not None else {}
    if args.json:
        print(json.dumps({"place": args.place, "ok": False, "stages": stages,
                          "error": str(error)}))
    else:
        print(f"{args.place}: boot failed; stages reached:")
        print(format_stages(stages))
        if strategy is not None and strategy.recorder is not None:
            print("  last console lines:")
            print(strategy.recorder.tail(8))
    if note:
        print(f"farm: {note}")
    if isinstance(error, FarmError):
        raise FarmError(f"{args.place}: {error}") from None
    raise FarmError(f"{args.place}: boot failed: {error}") from error
