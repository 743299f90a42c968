"""Entry point of the `farm` command: builds the parser from the subcommand modules."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from ..errors import FarmError

# Subcommand modules, in the order `farm --help` lists them.
SUBCOMMANDS = ["boards", "reserve", "release", "power", "boot", "console", "shell", "lab", "vboard",
               "health", "campaign", "ci", "bisect", "triage", "report", "web"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="farm", description="Keel board farm")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more logging (-vv for debug)")
    parser.add_argument("-c", "--coordinator", metavar="HOST:PORT",
                        help="labgrid coordinator (default $LG_COORDINATOR or 127.0.0.1:20408)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(f"{__package__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(name)s: %(message)s")
    try:
        return args.func(args) or 0
    except FarmError as e:
        print(f"farm: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("farm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `farm campaign show 1 | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
