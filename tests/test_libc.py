"""libc conformance: on-target KTAP programs built against Keel's libc (os/libc), one per
area, run as the first process from the boot image.  Every KTAP case is its own result,
named `<XSH page>/<what it checks>`: the POSIX.1-2017 System Interfaces page whose
requirement the case checks.  Each program runs on one usable hart (the `onehart` target)
and on the board's default hart count.

Areas so far: threads and synchronisation (conf-threads), clocks and sleeps (conf-clocks),
the C library base: errno, strings, heap, stdio, sched (conf-libc)."""

import pytest

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]


@pytest.mark.ktap(append="init=/bin/conf-threads", target="onehart")
def test_conf_threads_one_hart(ktap_case):
    ktap_case.check()


@pytest.mark.ktap(append="init=/bin/conf-threads")
def test_conf_threads(ktap_case):
    ktap_case.check()
