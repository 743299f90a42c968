"""Staging an image into a TFTP directory the exporter shares with us."""

import os

import pytest
from labgrid import Target
from labgrid.resource import TFTPProvider
from labgrid.resource.remote import RemoteTFTPProvider

from keelfarm.driver.tftpdriver import KeelTFTPProviderDriver, stage_locally
from keelfarm.errors import FarmError


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "build" / "Image"
    path.parent.mkdir()
    path.write_bytes(b"kernel one")
    return path


@pytest.fixture
def tftp(tmp_path):
    d = tmp_path / "tftp" / "vboard-1"
    d.mkdir(parents=True)
    return d


def test_stage_copies_and_links_relatively(image, tftp):
    assert stage_locally(str(image), str(tftp)) == "Image"
    link = tftp / "Image"
    assert link.is_symlink()
    assert not os.path.isabs(os.readlink(link))
    assert link.read_bytes() == b"kernel one"
    image.write_bytes(b"rebuilt after staging")
    assert link.read_bytes() == b"kernel one"  # a copy, not the user's file


def test_restaging_replaces_and_prunes(image, tftp):
    stage_locally(str(image), str(tftp))
    image.write_bytes(b"kernel two")
    stage_locally(str(image), str(tftp))
    assert (tftp / "Image").read_bytes() == b"kernel two"
    assert len(os.listdir(tftp / ".staged")) == 1


def test_two_images_live_side_by_side(image, tftp, tmp_path):
    other = tmp_path / "other.bin"
    other.write_bytes(b"other")
    stage_locally(str(image), str(tftp))
    stage_locally(str(other), str(tftp))
    assert (tftp / "Image").read_bytes() == b"kernel one"
    assert (tftp / "other.bin").read_bytes() == b"other"


def test_refuses_to_replace_a_real_file(image, tftp):
    (tftp / "Image").write_bytes(b"someone's file")
    with pytest.raises(FarmError, match="is not a symlink"):
        stage_locally(str(image), str(tftp))


def test_missing_image_or_directory(image, tmp_path):
    with pytest.raises(FarmError, match="not found"):
        stage_locally(str(tmp_path / "nope"), str(tmp_path))
    with pytest.raises(FarmError, match="does not exist on this machine"):
        stage_locally(str(image), str(tmp_path / "no-dir"))


def test_driver_returns_the_tftp_path(image, tftp):
    t = Target("t")
    TFTPProvider(t, name=None, internal=str(tftp) + "/", external="vboard-1/")
    drv = KeelTFTPProviderDriver(t, name=None)
    t.activate(drv)
    assert drv.shares_machine()
    assert drv.stage(str(image)) == "vboard-1/Image"
    assert (tftp / "Image").read_bytes() == b"kernel one"


def test_remote_exporter_on_loopback_stages_locally(image, tftp):
    t = Target("t")
    RemoteTFTPProvider(t, name=None, host="127.0.0.1", internal=str(tftp) + "/",
                       external="vboard-1/")
    drv = KeelTFTPProviderDriver(t, name=None)
    t.activate(drv)
    assert drv.shares_machine()
    assert drv.stage(str(image)) == "vboard-1/Image"


def test_remote_exporter_elsewhere_goes_through_labgrid(image, tftp, monkeypatch):
    from labgrid.driver.provider import TFTPProviderDriver

    staged = []
    monkeypatch.setattr(TFTPProviderDriver, "stage",
                        lambda self, filename: staged.append(filename) or "via-ssh")
    t = Target("t")
    RemoteTFTPProvider(t, name=None, host="exporter.lab", internal=str(tftp) + "/",
                       external="vboard-1/")
    drv = KeelTFTPProviderDriver(t, name=None)
    t.activate(drv)
    assert not drv.shares_machine()
    assert drv.stage(str(image)) == "via-ssh"
    assert staged == [str(image)]
    assert not (tftp / "Image").exists()
