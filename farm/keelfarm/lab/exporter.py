"""The exporter configuration for virtual boards, and the places that match it.

A vboard is exported exactly like a physical Unmatched on a lab's exporter host: one
resource group per board holding its PDU outlet (NetworkPowerPort), its serial port
(RawSerialPort, which the exporter serves through ser2net as a NetworkSerialPort) and
its TFTP directory (TFTPProvider, into which labgrid stages images).
"""

from __future__ import annotations

import os

import yaml

from .. import health
from ..reserve import BOARD_TAG


def board_group(state: dict, tftp_root: str) -> dict:
    """The exporter resource group of one board, from its vboard state file."""
    name = state["name"]
    internal = os.path.join(os.path.abspath(tftp_root), name) + "/"
    return {
        "NetworkPowerPort": {"model": "simplerest", "host": state["pdu"], "index": 0},
        "RawSerialPort": {"port": state["serial"], "speed": 115200},
        "TFTPProvider": {"internal": internal, "external": f"{name}/"},
    }


def exporter_config(states: list[dict], tftp_root: str) -> str:
    """The exporter's YAML for all boards."""
    groups = {s["name"]: board_group(s, tftp_root) for s in states}
    return yaml.safe_dump(groups, sort_keys=False)


def place_match(exporter: str, board: str) -> str:
    """The match pattern binding a place to one board's resource group."""
    return f"{exporter}/{board}/*"


def place_tags(kind: str) -> dict[str, str]:
    """Tags of a fresh place: what reservations filter on."""
    return {BOARD_TAG: kind, health.HEALTH_TAG: health.OK}
