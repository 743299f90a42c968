"""The data devices of /sbin/devnull (/dev/null, /dev/zero, /dev/full, /dev/random,
/dev/urandom): conf-devices starts the server as its child and checks each device through
open/read/write/ioctl; every KTAP case is its own result, on one hart and on the board's
harts."""

import pytest
from conf_all import conf_suite

pytestmark = [pytest.mark.conformance, pytest.mark.initrd]


test_conf_devices_one_hart, test_conf_devices = conf_suite("conf-devices")
