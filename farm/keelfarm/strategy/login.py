"""The `shell` state every strategy shares: from a booted Keel to a logged-in shell.

A Keel booted without ``init=`` runs /sbin/init, which starts a getty on the console.
labgrid's ShellDriver (configured in the environment: ``login_prompt``, ``username``,
``password``, ``prompt``) waits for the login prompt, logs in and checks the prompt
when it is activated; this module only activates it and turns its failures into a
BootError the farm can report.  A command line that names ``init=`` runs that program
instead of init, so no getty ever comes: asking for a shell with one is refused before
anything boots.
"""

from __future__ import annotations

from labgrid.strategy.common import StrategyError
from pexpect import TIMEOUT

from ..errors import BootError


def check_shell_config(strategy, append: str | None) -> None:
    """StrategyError unless ``strategy`` can reach a shell booting with ``append``."""
    if getattr(strategy, "shell", None) is None:
        raise StrategyError("no ShellDriver in this environment's target: the shell "
                            "state needs one (login_prompt, username, password, prompt)")
    if append and any(word.startswith("init=") for word in append.split()):
        raise StrategyError(f"no shell with command line {append!r}: init= replaces "
                            "/sbin/init, so no getty offers a login")


def log_in(strategy) -> None:
    """Activate the strategy's ShellDriver on the booted console (it logs in).  A login
    prompt or shell prompt that never comes is BootError('login')."""
    shell = strategy.shell
    try:
        strategy.target.activate(shell)
    except TIMEOUT:
        raise BootError("login", f"no login prompt ({shell.login_prompt!r}) or shell "
                                 f"prompt ({shell.prompt!r}) within "
                                 f"{shell.login_timeout} s of all harts online, or the "
                                 f"login as {shell.username!r} did not reach the "
                                 "prompt") from None
