"""Boot-stage timings for people: the stages console.BootConsole records, as a table.

The console module measures; this one only names and prints, for `farm boot` and for
test reports.
"""

from __future__ import annotations

# Stage key (console.STAGES) -> what a person calls it, in boot order.
LABELS = {
    "opensbi": "OpenSBI banner",
    "uboot": "U-Boot banner",
    "uboot_prompt": "U-Boot prompt",
    "tftp_done": "TFTP done",
    "banner": "Keel banner",
    "harts_online": "all harts online",
    "login_prompt": "login prompt",
    "ktest_done": "ktest done",
    "panic": "panic",
    "poweroff": "power off",
    "reboot": "reboot",
}


def format_stages(stages: dict[str, float]) -> str:
    """One line per stage seen, in boot order: label, seconds since power-on, and the
    time since the previous stage."""
    lines, prev = [], 0.0
    for key, label in LABELS.items():
        if key in stages:
            t = stages[key]
            lines.append(f"  {label:<17} {t:7.2f} s  (+{t - prev:.2f})")
            prev = t
    return "\n".join(lines) if lines else "  (no boot stage reached)"

