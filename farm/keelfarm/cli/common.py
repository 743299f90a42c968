"""What every coordinator-facing subcommand does first: connect, then sweep leases."""

from __future__ import annotations

import contextlib
import sys
import time

from .. import lease
from ..remote import Coordinator


@contextlib.contextmanager
def coordinator(args, clock=time.time):
    """A connected Coordinator with expired leases already released (and reported)."""
    coord = Coordinator.connect(getattr(args, "coordinator", None))
    try:
        for gone in lease.sweep(coord, clock()):
            print(f"farm: lease of {gone.place} held by {gone.holder} expired at "
                  f"{lease.clock_time(gone.at)}; released it", file=sys.stderr)
        yield coord
    finally:
        coord.close()


def coordinator_factory(args):
    """A callable that opens `coordinator(args)`, for code that connects only if it
    needs to (a farm place, not a local environment)."""
    return lambda: coordinator(args)
