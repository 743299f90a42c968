"""`farm shell PLACE -- CMD`: run one command in a logged-in shell on a held place, print
its output and exit with its status.

A place whose Keel already offers a login prompt or a shell prompt on its console is
logged into as it is; a place that is off, or whose console shows neither (U-Boot, a
kernel booted with init=, a hung machine), is booted without init= first, and the
command says so on stderr.  The account is the environment's ShellDriver's.  A place
that is unknown or not held by the caller is one line on stderr and exit status 2, so
a script can tell it from a command that failed.
"""

from __future__ import annotations

import os
import sys
import time

from pexpect import TIMEOUT

from .. import boothealth
from ..errors import BootError, FarmError
from ..lease import require_holder
from ..target import place_target
from .common import coordinator

NOT_HELD = 2
PROBE_TIMEOUT = 10


def register(sub) -> None:
    p = sub.add_parser("shell", help="run one command in a shell on a place you hold")
    p.add_argument("place")
    p.add_argument("command", nargs="+", help="the command (after --), run by sh -c")
    p.add_argument("--image", default="build/os/Image",
                   help="kernel to boot if the place runs no shell (default build/os/Image)")
    p.add_argument("--initrd", help="boot image beside it (default: the environment's)")
    p.add_argument("--env", help="labgrid environment (default: by the place's board tag)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds the command may run (default 60)")
    p.add_argument("--log-dir", default="build/farm/console",
                   help="console logs of boots (default build/farm/console)")
    p.set_defaults(func=run)


def probe_login(strategy, timeout: int | None = None) -> bool:
    """Log in on what the console shows now, without booting: True if a login prompt
    or a shell prompt answered within ``timeout`` seconds (the ShellDriver presses
    Enter on a quiet console), False otherwise.  The board is left as it was."""
    shell = strategy.shell
    saved = shell.login_timeout
    shell.login_timeout = PROBE_TIMEOUT if timeout is None else timeout
    try:
        strategy.target.activate(shell)
        return True
    except TIMEOUT:
        strategy.target.deactivate(shell)
        return False
    finally:
        shell.login_timeout = saved


def reach_shell(strategy, power, place: str, image: str, say=print) -> str:
    """Bring ``strategy``'s target to a logged-in shell (see the module's docstring);
    returns how: 'logged in' or 'booted'."""
    strategy.configure(append="", log_path=strategy.log_path)
    if power.get():
        if probe_login(strategy):
            strategy.status = strategy.states.shell
            return "logged in"
        say(f"farm: {place} shows no login or shell prompt; booting {image}")
    else:
        say(f"farm: {place} is switched off; booting {image}")
    strategy.transition("shell")
    return "booted"


def run_command(strategy, command: str, timeout: float) -> tuple[list[str], int]:
    """(output lines, exit status) of ``command`` in the logged-in shell."""
    try:
        lines, _, status = strategy.shell.run(command, timeout=timeout)
    except TIMEOUT:
        raise FarmError(f"no end of '{command}' within {timeout:.0f} s (it may still "
                        "run on the target)") from None
    return lines, status


def run(args) -> int:
    command = " ".join(args.command)
    with coordinator(args) as coord:
        try:
            require_holder(coord, args.place, time.time())
        except FarmError as e:
            print(f"farm: {e}", file=sys.stderr)
            return NOT_HELD
        if not os.path.isfile(args.image):
            raise FarmError(f"image {args.image} not found")
        target = place_target(coord, args.place, args.env)
        try:
            strategy = target.get_driver("UnmatchedStrategy")
            strategy.image = os.path.abspath(args.image)
            if args.initrd is not None:
                strategy.initrd = os.path.abspath(args.initrd) if args.initrd else ""
            os.makedirs(args.log_dir, exist_ok=True)
            strategy.log_path = os.path.join(
                args.log_dir, f"{args.place}-{time.strftime('%Y%m%d-%H%M%S')}.log")
            strategy.add_boot_listener(boothealth.health_listener(
                lambda: (args.place, coord)))
            try:
                reach_shell(strategy, target.get_driver("PowerProtocol"), args.place,
                            args.image, say=lambda text: print(text, file=sys.stderr))
            except BootError as e:
                raise FarmError(f"{args.place}: no shell: {e} (console log "
                                f"{strategy.log_path})") from None
            lines, status = run_command(strategy, command, args.timeout)
        finally:
            target.deactivate_all_drivers()
    for line in lines:
        print(line)
    return status
