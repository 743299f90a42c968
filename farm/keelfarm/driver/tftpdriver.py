"""KeelTFTPProviderDriver: labgrid's TFTP staging, plus staging by plain copy when the
exporter shares this machine.

labgrid stages a file on a remote exporter over SSH: it copies the file to
/var/cache/labgrid/<user>/<hash>/ on the exporter host and symlinks it into the TFTP
directory.  An exporter that publishes a loopback hostname runs on this very machine
(the local lab, or the demo farm's exporter container on the host network with the TFTP
directory mounted at the same path), so there is no SSH to go through: the file is
copied into ``<internal>/.staged/<hash>/`` and linked by a relative symlink, which
resolves the same inside and outside a container.  Everything else is labgrid's.
"""

from __future__ import annotations

import hashlib
import os
import shutil

import attr
from labgrid.driver.common import Driver
from labgrid.driver.provider import TFTPProviderDriver
from labgrid.factory import target_factory
from labgrid.resource.common import NetworkResource
from labgrid.step import step

from ..errors import FarmError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
STAGED = ".staged"


def file_hash(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stage_locally(filename: str, internal: str) -> str:
    """Copy ``filename`` under ``internal``/.staged/<hash>/ and point ``internal``/<name>
    at it; return the name relative to ``internal``.  Older staged copies no symlink
    refers to any more are removed."""
    if not os.path.isfile(filename):
        raise FarmError(f"image {filename} not found")
    if not os.path.isdir(internal):
        raise FarmError(f"TFTP directory {internal} does not exist on this machine")
    name = os.path.basename(filename)
    digest = file_hash(filename)[:16]
    rel = os.path.join(STAGED, digest, name)
    dest = os.path.join(internal, rel)
    if not os.path.exists(dest):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        tmp = dest + ".tmp"
        shutil.copyfile(filename, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    link = os.path.join(internal, name)
    if os.path.lexists(link) and not os.path.islink(link):
        raise FarmError(f"{link} exists and is not a symlink")
    tmp_link = link + ".new"
    if os.path.lexists(tmp_link):
        os.unlink(tmp_link)
    os.symlink(rel, tmp_link)
    os.replace(tmp_link, link)
    _prune(internal)
    return name


def _prune(internal: str) -> None:
    staged = os.path.join(internal, STAGED)
    used = set()
    for entry in os.listdir(internal):
        path = os.path.join(internal, entry)
        if os.path.islink(path):
            parts = os.readlink(path).split(os.sep)
            if len(parts) == 3 and parts[0] == STAGED:
                used.add(parts[1])
    for digest in os.listdir(staged):
        if digest not in used:
            shutil.rmtree(os.path.join(staged, digest), ignore_errors=True)


@target_factory.reg_driver
@attr.s(eq=False)
class KeelTFTPProviderDriver(TFTPProviderDriver):
    """Binds like TFTPProviderDriver; ``stage()`` returns the path to ask TFTP for."""

    def shares_machine(self) -> bool:
        return (not isinstance(self.provider, NetworkResource)
                or self.provider.host in LOOPBACK)

    @Driver.check_active
    @step(args=["filename"], result=True)
    def stage(self, filename):
        if not self.shares_machine():
            return super().stage(filename)
        internal = self.provider.internal
        return self.provider.external + stage_locally(filename, internal)
