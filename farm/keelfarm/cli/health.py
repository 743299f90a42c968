"""`farm health PLACE [--image build/os/Image]`: the health check that brings a board
tagged unhealthy back into the pool.

    farm reserve --place vboard-2      # by name: reserve skips an unhealthy board
    farm health vboard-2               # boot + ktest; a pass tags it health=ok
    farm release vboard-2

One passing boot proves little about a board already found bad (it may fail one boot in
three), so the check asks more: the kernel's self-tests (`ktest` on the command line)
run to their end with every case passing and the kernel powers the board off by itself.
A board fault on the way counts against the board as any boot's does; anything else
that stops the check (a bad image, a failing case) leaves the board as it was.
"""

from __future__ import annotations

from .. import health
from ..errors import FarmError
from .boot import boot, held_target

DEFAULT_TIMEOUT = 300.0


def register(sub) -> None:
    p = sub.add_parser("health", help="health check of a place you hold (boot + ktest); "
                                      "a pass tags it healthy")
    p.add_argument("place")
    p.add_argument("--image", default="build/os/Image",
                   help="a known-good kernel Image (default %(default)s)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="bound on the self-tests after the boot (default %(default).0f)")
    p.add_argument("--env", help="labgrid environment (default: by the place's board tag)")
    p.add_argument("--log-dir", default="build/farm/console",
                   help="console logs (default %(default)s)")
    p.set_defaults(func=run)


def ktest_problem(strategy, timeout: float) -> str | None:
    """Wait up to `timeout` s for the booted kernel's self-tests to end; what is wrong
    with them, or None when every case passed and the kernel powered off."""
    powered_off = strategy.wait_exit(timeout) == 0
    summary = strategy.recorder.boot.ktest
    if summary is None:
        return f"no 'keel: ktest done' line within {timeout:.0f} s"
    if summary.failed or not summary.passed:
        return f"ktest: {summary.passed} passed, {summary.failed} failed"
    if not powered_off:
        return f"the kernel did not power the board off within {timeout:.0f} s of its tests"
    return None


def run(args) -> int:
    with held_target(args) as (coord, target):
        was = health.health(coord.place(args.place))
        try:
            strategy = target.get_driver("UnmatchedStrategy")
            log = boot(strategy, args.place, args.image, "ktest", args.log_dir)
            problem = ktest_problem(strategy, args.timeout)
        except Exception as e:
            note = health.record_failure(coord, args.place, e)
            if note:
                print(f"farm: {note}")
            problem = f"{e}"
            log = None
        if problem:
            where = f"; console log {log}" if log else ""
            raise FarmError(f"{args.place}: health check failed: {problem}{where} "
                            f"(health stays {health.health(coord.place(args.place))})")
        health.record_check(coord, args.place)
    summary = strategy.recorder.boot.ktest
    print(f"{args.place}: health check passed: booted, ktest {summary.passed} passed, "
          f"0 failed, powered off (console log {log}); health {was} -> ok")
    return 0
