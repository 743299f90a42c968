"""The farm's user-facing error: one line, no traceback."""


class FarmError(Exception):
    """Something the user can act on; the CLI prints ``farm: <message>`` and exits 1."""


class BootError(FarmError):
    """A boot that stopped short.  ``stage`` is where: 'uboot' (no U-Boot prompt),
    'tftp' (the image did not load), 'reset' (U-Boot stopped answering mid-command),
    'banner' (no Keel banner), 'online' (harts missing) or 'panic' (the kernel
    panicked).  Health accounting counts 'uboot' and 'banner'
    failures against the board; the others are the image's fault."""

    BOARD_FAULTS = ("uboot", "banner")

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage

    @property
    def board_fault(self) -> bool:
        return self.stage in self.BOARD_FAULTS
