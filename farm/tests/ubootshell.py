"""What the fake U-Boots (fakeboard.py, fake_qemu.py) share with the real one's shell:
the line limit (CONFIG_SYS_CBSIZE 256: at most 255 bytes are read; the real U-Boot rings
the bell at each byte past that and never runs the line) and how a word is read (single
quotes literal, double quotes and bare text expand ``${name}``, adjacent parts join)."""

from __future__ import annotations

import re

LINE_MAX = 255
_VAR = re.compile(r"\$\{(\w+)\}")


def words(text: str, env: dict[str, str]) -> list[str]:
    """The words of a command as U-Boot's shell reads them."""
    out: list[str] = []
    word: str | None = None
    i = 0
    while i < len(text):
        c = text[i]
        if c in " \t":
            if word is not None:
                out.append(word)
                word = None
            i += 1
            continue
        if c == "'":
            end = text.index("'", i + 1)
            part = text[i + 1:end]
        elif c == '"':
            end = text.index('"', i + 1)
            part = _VAR.sub(lambda m: env.get(m.group(1), ""), text[i + 1:end])
        else:
            end = i
            while end + 1 < len(text) and text[end + 1] not in " \t'\"":
                end += 1
            part = _VAR.sub(lambda m: env.get(m.group(1), ""), text[i:end + 1])
        word = (word or "") + part
        i = end + 1
    if word is not None:
        out.append(word)
    return out


def setenv(command: str, env: dict[str, str]) -> bool:
    """Run ``command`` if it is a setenv (U-Boot joins the value's words with spaces; no
    value deletes the variable); whether it was one."""
    w = words(command, env)
    if not w or w[0] != "setenv":
        return False
    if len(w) == 2:
        env.pop(w[1], None)
    else:
        env[w[1]] = " ".join(w[2:])
    return True
