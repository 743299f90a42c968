"""The farm's protocols: abstract interfaces, as labgrid's ``labgrid.protocol``."""

from .bootprotocol import KeelBootProtocol

__all__ = ["KeelBootProtocol"]
