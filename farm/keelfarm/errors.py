"""The farm's user-facing error: one line, no traceback."""


class FarmError(Exception):
    """Something the user can act on; the CLI prints ``farm: <message>`` and exits 1."""


class BootError(FarmError):
    """A boot that stopped short.  ``stage`` is where: 'power' (the PDU failed to
    switch the outlet), 'serial' (the serial line could not be opened), 'uboot' (no
    U-Boot prompt), 'tftp' (the image did not load), 'image' (U-Boot refused the image:
    "Bad Linux RISCV Image magic!"), 'reset' (U-Boot stopped answering mid-command),
    'banner' (no Keel banner), 'online' (harts missing), 'panic' (the kernel panicked)
    or 'login' (booted, but no login prompt or shell prompt came: the OS's).

    Only 'power', 'serial' and 'uboot' are the board's fault for certain: a PDU, a
    serial line or firmware that does not answer, whatever image it was given.
    'image', 'tftp', 'online' and 'panic' are the image's or the OS's,
    and must never take a board out of the pool (one user's broken kernel would take
    them all).  'banner' and 'reset' are unclear — a kernel that dies before its banner
    looks like a board that died — and triage (a rerun on QEMU and on a sibling board)
    decides them."""

    BOARD_FAULTS = ("power", "serial", "uboot")
    UNCLEAR = ("banner", "reset")

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage

    @property
    def board_fault(self) -> bool:
        return self.stage in self.BOARD_FAULTS

    @property
    def unclear(self) -> bool:
        return self.stage in self.UNCLEAR
