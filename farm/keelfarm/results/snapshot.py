"""A campaign's build, frozen at its start.

A campaign runs for minutes or hours in a working tree where `make` goes on: a run
that boots an Image rebuilt halfway through the campaign, or symbolizes against a
kernel.elf that is being relinked, measures nothing.  So a campaign on a local
environment first copies what it boots — every image of the environment file that lies
in the working tree, the kernel ELF and the user programs — into its own directory,
writes a copy of the environment file that points at those copies, and notes the
commit they were built from.  Every run (and a `--resume`) uses that build.

A build in progress shows as an ELF newer than the Image made from it, or files that
change while they are copied; the copy is then tried again a few times.

Environments that reach a farm place (RemotePlace) are left as they are: their
strategy stages the images by itself.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from ..errors import FarmError

KERNEL_ELF = Path("build/os/kernel.elf")
PROGRAMS = Path("build/os/bin")
RECORD = "build.json"


@dataclass
class Build:
    env: str  # environment file the runs use
    commit: str
    commit_time: dt.datetime | None = None
    kernel_elf: str | None = None
    program_dir: str | None = None
    frozen: bool = False

    def pytest_args(self) -> list[str]:
        args = []
        if self.kernel_elf:
            args.append(f"--keel-kernel-elf={self.kernel_elf}")
        if self.program_dir:
            args.append(f"--keel-program-dir={self.program_dir}")
        return args

    def save(self, path: Path) -> None:
        data = asdict(self)
        data["commit_time"] = self.commit_time.isoformat() if self.commit_time else None
        path.write_text(json.dumps(data, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> Build:
        data = json.loads(path.read_text())
        if data.get("commit_time"):
            data["commit_time"] = dt.datetime.fromisoformat(data["commit_time"])
        return cls(**data)


def _state(paths: list[Path]) -> list[tuple[str, int, int]]:
    out = []
    for p in paths:
        for f in sorted(p.rglob("*")) if p.is_dir() else [p]:
            if f.is_file():
                st = f.stat()
                out.append((str(f), st.st_size, st.st_mtime_ns))
    return out


def _copy(src: Path, dest: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dest, dirs_exist_ok=True)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)


def _in_progress(images: dict[str, Path], elf: Path) -> str | None:
    """Why the build looks unfinished (the kernel ELF newer than the kernel image made
    from it), or None.  Other images (the initrd) are not made from the ELF: a kernel-only
    change leaves them older, and rightly so."""
    if not elf.is_file():
        return None
    for key, path in images.items():
        if key == "kernel" and path.parent == elf.parent and path.is_file() \
                and path.stat().st_mtime_ns < elf.stat().st_mtime_ns:
            return f"{elf} is newer than {path}"
    return None


def freeze(env_file: str | Path, dest: Path, *, commit: tuple[str, dt.datetime | None],
           root: Path = Path("."), tries: int = 10, pause: float = 2.0,
           sleep=time.sleep) -> Build:
    """Copy a local environment's build into `dest` (or load the copy made before).

    `commit` is (description, time) of the working tree; `root` is the working tree
    whose files are copied (images elsewhere, e.g. a system U-Boot, are referenced)."""
    dest = dest.resolve()  # the environment copy names its images absolutely
    record = dest / RECORD
    if record.is_file():
        return Build.load(record)
    env_file = Path(env_file)
    try:
        config = yaml.safe_load(env_file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise FarmError(f"{env_file}: cannot read the environment: {exc}") from exc
    root = root.resolve()
    images = {key: (env_file.parent / path).resolve()
              for key, path in (config.get("images") or {}).items()}
    mine = {k: p for k, p in images.items() if p.is_relative_to(root) and p.exists()}
    extras = [p for p in (root / KERNEL_ELF, root / PROGRAMS) if p.exists()]
    for _ in range(tries):
        why = _in_progress(mine, root / KERNEL_ELF)
        before = _state([*mine.values(), *extras])
        if why is None:
            for key, path in mine.items():
                _copy(path, dest / "images" / key / path.name)
            for path in extras:
                _copy(path, dest / path.name)
            if _state([*mine.values(), *extras]) == before:
                break
            why = "files changed while they were copied"
        sleep(pause)
    else:
        raise FarmError(f"the build in {root} is not settled ({why}); is a build running?")
    config["images"] = {key: str(dest / "images" / key / path.name) if key in mine
                        else str(path) for key, path in images.items()}
    for key, tool in (config.get("tools") or {}).items():  # the copy lives elsewhere
        if not Path(tool).is_absolute() and (env_file.parent / tool).exists():
            config["tools"][key] = str((env_file.parent / tool).resolve())
    env_copy = dest / env_file.name
    dest.mkdir(parents=True, exist_ok=True)  # an environment without images of ours
    env_copy.write_text(f"# {env_file.resolve()} with its images frozen for a campaign\n"
                        + yaml.safe_dump(config, sort_keys=False))
    build = Build(env=str(env_copy), commit=commit[0], commit_time=commit[1], frozen=True,
                  kernel_elf=str(dest / KERNEL_ELF.name) if (root / KERNEL_ELF).exists()
                  else None,
                  program_dir=str(dest / PROGRAMS.name) if (root / PROGRAMS).exists()
                  else None)
    build.save(record)
    return build
