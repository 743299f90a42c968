"""SMP stress the way the seed systems ran it, from user mode: the `storm` program's
message storm (8 servers x 8 clients x 128 checked round trips), one server with 16
clients x 1,000 sends, a ping-pong, a channel create/destroy storm with shuffled destroy
orders, late replies from a slow server whose clients' REPLY timeouts have sent them on
to a quick one (the late answers must never corrupt the quick one's queue), block I/O by
interrupt (blkstorm starts the disk's driver, virtio-blk or NVMe, and reads the board's disk
against a first read; a board without a disk skips the case, said), all at once with pulses
(counted exactly), send timeouts and thread kills mixed in, and finally the kernel's object
counts back at their baseline (KernelObjects), and every thread's stack (16 KiB each,
side by side) unbroken at its far end: a thread that ran past its own would corrupt its
neighbour's frames and messages.  Each is its own KTAP case, on the board's default hart
count."""

import pytest

pytestmark = [pytest.mark.smp_stress, pytest.mark.initrd]


@pytest.mark.ktap(append="init=/bin/storm all", timeout=600)
def test_storm_all(ktap_case):
    ktap_case.check()
