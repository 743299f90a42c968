"""Pipes: conf-pipe starts /sbin/pipe as its child and checks pipe(2) through libc: order,
end of file, EPIPE with SIGPIPE, blocked readers and writers woken, 100 writer threads whose
PIPE_BUF records all arrive once and whole, FIONREAD; and FIFOs: mkfifo on a /sbin/tmpfs
whose opens meet in /sbin/pipe, each end waiting for the other (O_NONBLOCK: at once, or ENXIO
for a writer with no reader), EINTR, stat and unlink; every KTAP case is its own result, on
one hart and on the board's harts."""

import pytest
from conf_all import conf_suite

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]


test_conf_pipe_one_hart, test_conf_pipe = conf_suite("conf-pipe")
