"""KeelUBootDriver: labgrid's UBootDriver with a prompt check that waits as long as a
slow console needs.

labgrid checks the prompt by sending ``echo '<marker>'`` and allows 2 s for U-Boot to
echo the marker and 1 s more for the prompt after it.  U-Boot echoes each character as
it reads it, so the check takes as long as the line takes to go through the serial
path, and on a busy host it takes longer than that: on the demo farm (four vboards under
TCG on two cores) one boot in eight or so stopped with the console showing
``=> echo 'TTJB'`` and no more, twelve seconds after power-on — which the strategy can
only report as a board that never reached its U-Boot prompt, a board fault for its
health.  The wait is ``prompt_check_timeout`` (default 15 s) for each of the two; a
U-Boot that does not answer at all still fails the check, only later.  Everything
else is labgrid's.
"""

from __future__ import annotations

import attr
from labgrid.driver import UBootDriver
from labgrid.factory import target_factory
from labgrid.util import gen_marker
from pexpect import TIMEOUT


@target_factory.reg_driver
@attr.s(eq=False)
class KeelUBootDriver(UBootDriver):
    prompt_check_timeout = attr.ib(default=15.0, converter=float)

    def _check_prompt(self):
        marker = gen_marker()
        # the marker is split so that the echo of the command line does not match it
        self.console.sendline(f"echo '{marker[:4]}''{marker[4:]}'")
        try:
            self.console.expect(marker, timeout=self.prompt_check_timeout)
            self.console.expect(self.prompt, timeout=self.prompt_check_timeout)
            self._status = 1
        except TIMEOUT:
            self._status = 0
            raise
