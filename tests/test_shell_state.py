"""The strategy's `shell` state (issue: mksh, getty and login): the environment's
ShellDriver logs in on the console of a Keel booted without init=, and `keel_shell.run`
gives a command's output and exit status, as `farm shell` prints them."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.initrd, pytest.mark.login]


def test_the_shell_state_runs_commands_with_their_output_and_status(keel_shell):
    out, rc = keel_shell.run("echo $KSHUID; echo $USER $HOME")
    assert (out, rc) == ("0\nroot /root\n", 0), out
    out, rc = keel_shell.run("echo one; echo two >&2; exit 7")
    assert (out, rc) == ("one\ntwo\n", 7)
    out, rc = keel_shell.run("read line < /etc/shadow && echo \"${line%%:*}\"")
    assert (out, rc) == ("root\n", 0)
    out, rc = keel_shell.run("cd /no/such/dir")
    assert rc != 0 and "/no/such/dir" in out


def test_a_shell_on_an_init_program_is_refused_before_booting(keel_boot):
    from labgrid.strategy.common import StrategyError
    strategy = keel_boot.strategy()
    strategy.transition("off")
    before = strategy.recorder
    with pytest.raises(StrategyError, match="init= replaces /sbin/init"):
        keel_boot(append="init=/bin/hello", until="shell")
    assert strategy.recorder is before, "a boot started"
    assert strategy.status.name == "off"
