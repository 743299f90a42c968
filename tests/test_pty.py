"""Pseudo-terminals: conf-pty starts /sbin/devc-pty as its child (when no init did) and
checks posix_openpt, grantpt, unlockpt and ptsname, /dev/pts, and every rule of the line
discipline with the master typing and reading the echo where tests/test_tty.py types into
the UART: canonical lines, VERASE (DEL and BS), VKILL, VWERASE, VEOF, VEOL, ICRNL, IGNCR,
INLCR, ECHO, ECHOE, ECHONL, OPOST/ONLCR, VMIN/VTIME, VINTR/VQUIT/VSUSP to the foreground
process group, SIGWINCH, hang-up (SIGHUP, end of file, EIO), poll, FIONREAD, flow control
both ways, and a shell on the slave; every KTAP case is its own result, on one hart and on
the board's harts."""

import pytest
from conf_all import conf_suite

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]


test_conf_pty_one_hart, test_conf_pty = conf_suite("conf-pty")
