"""Pipes: conf-pipe starts /sbin/pipe as its child and checks pipe(2) through libc: order,
end of file, EPIPE with SIGPIPE, blocked readers and writers woken, 100 writer threads whose
PIPE_BUF records all arrive once and whole, FIONREAD; every KTAP case is its own result, on
one hart and on the board's harts."""

import pytest

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]


@pytest.mark.ktap(append="init=/bin/conf-pipe", target="onehart")
def test_conf_pipe_one_hart(ktap_case):
    ktap_case.check()


@pytest.mark.ktap(append="init=/bin/conf-pipe")
def test_conf_pipe(ktap_case):
    ktap_case.check()
