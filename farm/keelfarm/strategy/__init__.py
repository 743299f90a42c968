"""Keel's labgrid strategies; importing this package registers them with labgrid."""

from ..errors import BootError
from .qemustrategy import KeelQEMUStrategy
from .qemuubootstrategy import KeelQEMUUBootStrategy
from .ubootstrategy import UnmatchedStrategy

__all__ = ["BootError", "KeelQEMUStrategy", "KeelQEMUUBootStrategy", "UnmatchedStrategy"]
