"""A commit checked out and built on its own, beside the developer's tree.

`farm bisect` and `farm ci` build commits other than the checked-out one; doing that in
the developer's tree would change what they are working on.  So each commit gets a git
worktree (detached, under a directory of the command's own), is built there by the
build command (default `make`), and the worktree goes when the command is done with
it.  The build's output lands in `<base>/<short hash>.build.log`.

An environment file of the repository is used from the worktree (`rebase`): its image
paths are relative to the file, so the worktree's copy boots the worktree's build.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

from ..errors import FarmError

DEFAULT_BUILD = "make"
DEFAULT_BUILD_TIMEOUT = 3600.0


class CommitTrees:
    """Worktrees of `repo` under `base`, one per commit; `close()` removes them all."""

    def __init__(self, repo: str | Path, base: str | Path, build_cmd: str = DEFAULT_BUILD,
                 build_timeout: float = DEFAULT_BUILD_TIMEOUT):
        self.repo = Path(repo).resolve()
        self.base = Path(base).resolve()
        self.build_cmd = build_cmd
        self.build_timeout = build_timeout
        self.trees: dict[str, Path] = {}

    def _git(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(self.repo), *args], capture_output=True,
                              text=True, timeout=120)

    def checkout(self, commit: str) -> Path:
        """The worktree of `commit`, made on first use."""
        if commit in self.trees:
            return self.trees[commit]
        path = self.base / commit[:12]
        if path.exists():  # left over from an interrupted run
            self._git("worktree", "remove", "--force", str(path))
            shutil.rmtree(path, ignore_errors=True)
        self.base.mkdir(parents=True, exist_ok=True)
        made = self._git("worktree", "add", "--detach", str(path), commit)
        if made.returncode != 0:
            raise FarmError(f"git worktree add {commit[:12]}: {made.stderr.strip()}")
        self.trees[commit] = path
        return path

    def build_log(self, commit: str) -> Path:
        return self.base / f"{commit[:12]}.build.log"

    def build(self, commit: str) -> bool:
        """Check out and build `commit`; False (with the log kept) if the build fails or
        runs past its timeout."""
        tree = self.checkout(commit)
        log = self.build_log(commit)
        with open(log, "w") as out:
            try:
                proc = subprocess.run(self.build_cmd, shell=True, cwd=tree, stdout=out,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      timeout=self.build_timeout)
            except subprocess.TimeoutExpired:
                out.write(f"\nfarm: build timed out after {self.build_timeout:.0f} s\n")
                return False
        return proc.returncode == 0

    def rebase(self, commit: str, path: str | Path) -> Path:
        """`path` (a file of the repository) as it is in `commit`'s worktree; a file
        outside the repository as it is."""
        path = Path(path).resolve()
        try:
            inner = path.relative_to(self.repo)
        except ValueError:
            return path
        return self.checkout(commit) / inner

    def remove(self, commit: str) -> None:
        path = self.trees.pop(commit, None)
        if path is not None:
            self._git("worktree", "remove", "--force", str(path))
            shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        for commit in list(self.trees):
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                self.remove(commit)
        self._git("worktree", "prune")

    def __enter__(self) -> CommitTrees:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
