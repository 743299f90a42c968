"""Standard utilities: every command of the toybox port (os/ports/toybox), each run by
utils-check (tests/target/utils-check) as its own process with its input and output on
pipes, its exit status and output compared with what the command must print; where the
answer depends on the system (a file's bytes, a directory's names, the ids, the clock)
utils-check works it out through libc first.  One boot per file, one pytest result per
KTAP case, named `<command>/<what it checks>`.  The cases that write files run in /tmp
once a writable file system serves it, and are skipped on the target until then."""

import pytest

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]


@pytest.mark.ktap(append="init=/bin/utils-check", timeout=600.0)
def test_utils(ktap_case):
    ktap_case.check()
