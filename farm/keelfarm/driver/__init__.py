"""Keel's labgrid drivers; importing this package registers them with labgrid."""

from .qemudriver import KeelQEMUDriver
from .tftpdriver import KeelTFTPProviderDriver
from .ubootdriver import KeelUBootDriver

__all__ = ["KeelQEMUDriver", "KeelTFTPProviderDriver", "KeelUBootDriver"]
