"""The data devices of /sbin/devnull (/dev/null, /dev/zero, /dev/full, /dev/random,
/dev/urandom): conf-devices starts the server as its child and checks each device through
open/read/write/ioctl; every KTAP case is its own result, on one hart and on the board's
harts."""

import pytest

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]


@pytest.mark.ktap(append="init=/bin/conf-devices", target="onehart")
def test_conf_devices_one_hart(ktap_case):
    ktap_case.check()


@pytest.mark.ktap(append="init=/bin/conf-devices")
def test_conf_devices(ktap_case):
    ktap_case.check()
