"""What the lab test files share: the lab they run against comes from the environment
the integration run (run.sh) sets, and a file run without it fails at once, saying so."""

from __future__ import annotations

import os

import pytest

# labgrid's console step logger may warn when flushing a console it never read from
QUIET_CONSOLE = pytest.mark.filterwarnings(
    "ignore:unhandled exception during event notification")


def need(var: str, through: str = "the vboard integration run") -> str:
    value = os.environ.get(var)
    if not value:
        pytest.fail(f"{var} is not set: run this through {through}", pytrace=False)
    return value
