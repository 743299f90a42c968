"""The kernel command line as U-Boot commands.

U-Boot reads a command line of at most CONFIG_SYS_CBSIZE bytes (256 in the builds the
farm meets: Debian's qemu-riscv64_smode and the Unmatched's); it rings the bell at every
byte past that and never runs the line.  labgrid's UBootDriver also wraps each command in
two marker echoes and a status echo.  So a long kernel command line is set in pieces that
each fit: the first with ``setenv bootargs '...'``, the rest appended with
``setenv bootargs "${bootargs}"'...'`` (U-Boot's shell joins adjacent quoted words).

Inside single quotes U-Boot's shell takes every byte literally but has no way to write a
single quote itself, so a command line holding one is refused with the reason.
"""

from __future__ import annotations

# A command's own bytes: leaves room for UBootDriver's wrapper (about 60 bytes) in a
# 255-byte line.
COMMAND_MAX = 160
_APPEND = "setenv bootargs \"${bootargs}\"'%s'"


def bootargs_commands(append: str, limit: int = COMMAND_MAX) -> list[str]:
    """The U-Boot commands that set ``bootargs`` to ``append`` (none set means cleared).
    ValueError if U-Boot cannot be told it (a single quote, a control character)."""
    if not append:
        return ["setenv bootargs"]
    bad = sorted({c for c in append if c == "'" or ord(c) < 0x20 or ord(c) == 0x7f})
    if bad:
        raise ValueError(f"the kernel command line holds {', '.join(map(repr, bad))}, "
                         "which cannot pass through U-Boot's bootargs")
    room = limit - len(_APPEND % "")
    if room < 1:
        raise ValueError(f"a U-Boot command limit of {limit} bytes leaves no room")
    pieces = [append[i:i + room] for i in range(0, len(append), room)]
    return [f"setenv bootargs '{pieces[0]}'"] + [_APPEND % p for p in pieces[1:]]
