"""Freezing a campaign's build: copies of what a local environment boots, an environment
file that points at them, the kernel ELF and programs, and waiting out a running build."""

import datetime as dt
import os
from pathlib import Path

import pytest
from labgrid import Environment

from keelfarm.errors import FarmError
from keelfarm.results.snapshot import Build, freeze

COMMIT = ("abc1234-dirty", dt.datetime(2026, 11, 22, 3, 0))


@pytest.fixture
def tree(tmp_path):
    """A working tree with build/os/{Image,kernel.elf,bin/prog} and an environment in
    farm/envs that names the Image relatively and a system file absolutely."""
    root = tmp_path / "tree"
    (root / "build/os/bin").mkdir(parents=True)
    (root / "build/os/bin/prog").write_bytes(b"prog v1")
    (root / "build/os/kernel.elf").write_bytes(b"elf v1")
    (root / "build/os/Image").write_bytes(b"image v1")
    os.utime(root / "build/os/kernel.elf", ns=(1, 1_000_000_000))
    outside = tmp_path / "system-uboot.elf"
    outside.write_bytes(b"u-boot")
    envs = root / "farm/envs"
    envs.mkdir(parents=True)
    (envs / "local.yaml").write_text(
        "targets:\n  main:\n    drivers: {}\n"
        f"tools:\n  qemu: /usr/bin/qemu-system-riscv64\n"
        f"images:\n  kernel: ../../build/os/Image\n  uboot: {outside}\n"
        "  missing: ../../build/os/nothing.cpio\n")
    return root, outside


def test_freeze_copies_and_points_the_environment_at_the_copies(tree, tmp_path):
    root, outside = tree
    dest = tmp_path / "campaign" / "build"
    build = freeze(root / "farm/envs/local.yaml", dest, commit=COMMIT, root=root)
    assert build.frozen and build.commit == "abc1234-dirty"
    assert build.commit_time == COMMIT[1]
    env = Environment(build.env)
    kernel = env.config.get_image_path("kernel")
    assert kernel == str(dest / "images/kernel/Image")
    assert Path(kernel).read_bytes() == b"image v1"
    assert env.config.get_image_path("uboot") == str(outside)  # outside the tree: as is
    assert env.config.get_image_path("missing") == str(root / "build/os/nothing.cpio")
    assert build.pytest_args() == [f"--keel-kernel-elf={dest / 'kernel.elf'}",
                                   f"--keel-program-dir={dest / 'bin'}"]
    assert (dest / "bin/prog").read_bytes() == b"prog v1"
    env.cleanup()

    # the tree moves on; the campaign's build does not
    (root / "build/os/Image").write_bytes(b"image v2")
    again = freeze(root / "farm/envs/local.yaml", dest, commit=("other", None), root=root)
    assert again == build
    assert (dest / "images/kernel/Image").read_bytes() == b"image v1"
    assert Build.load(dest / "build.json") == build


def test_a_running_build_is_waited_for(tree, tmp_path):
    root, _ = tree
    os.utime(root / "build/os/Image", ns=(1, 1))  # older than the ELF: mid-build
    waits = []

    def finish_build(seconds):
        waits.append(seconds)
        (root / "build/os/Image").write_bytes(b"image v2")  # objcopy done

    build = freeze(root / "farm/envs/local.yaml", tmp_path / "b", commit=COMMIT, root=root,
                   sleep=finish_build)
    assert waits == [2.0]
    assert (tmp_path / "b/images/kernel/Image").read_bytes() == b"image v2"
    assert build.kernel_elf == str(tmp_path / "b/kernel.elf")


def test_an_initrd_older_than_the_kernel_is_a_settled_build(tree, tmp_path):
    """A kernel-only change relinks kernel.elf and Image and leaves the initrd alone."""
    root, _ = tree
    env = root / "farm/envs/local.yaml"
    env.write_text(env.read_text() + "  initrd: ../../build/os/initrd.cpio\n")
    (root / "build/os/initrd.cpio").write_bytes(b"cpio v1")
    os.utime(root / "build/os/initrd.cpio", ns=(1, 1))
    waits = []
    freeze(env, tmp_path / "b", commit=COMMIT, root=root, sleep=waits.append)
    assert waits == []
    assert (tmp_path / "b/images/initrd/initrd.cpio").read_bytes() == b"cpio v1"


def test_a_build_that_never_settles_is_an_error(tree, tmp_path):
    root, _ = tree
    os.utime(root / "build/os/Image", ns=(1, 1))
    with pytest.raises(FarmError, match="kernel.elf is newer than .*Image.*is a build running"):
        freeze(root / "farm/envs/local.yaml", tmp_path / "b", commit=COMMIT, root=root,
               tries=3, sleep=lambda s: None)


def test_a_tree_without_elf_or_programs_frozen_to_a_relative_directory(tmp_path,
                                                                       monkeypatch):
    env = tmp_path / "env.yaml"
    (tmp_path / "Image").write_bytes(b"x")
    env.write_text("targets: {}\nimages:\n  kernel: Image\n")
    monkeypatch.chdir(tmp_path)
    build = freeze(Path("env.yaml"), Path("out/frozen"), commit=COMMIT, root=Path("."))
    assert build.kernel_elf is None and build.program_dir is None
    assert build.pytest_args() == []
    monkeypatch.chdir("/")  # the environment copy works from anywhere
    image = Environment(build.env).config.get_image_path("kernel")
    assert image == str(tmp_path / "out/frozen/images/kernel/Image")
    assert Path(image).read_bytes() == b"x"
