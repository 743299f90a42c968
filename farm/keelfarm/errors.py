"""The farm's user-facing error: one line, no traceback."""


class FarmError(Exception):
    """Something the user can act on; the CLI prints ``farm: <message>`` and exits 1."""
