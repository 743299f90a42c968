"""Throwaway git repositories for the tests that build and bisect commits."""

import subprocess


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=farm test", "-c",
                           "user.email=farm@test", *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def commit(repo, message, **files):
    """Write (or, for None, delete) `files`, commit them all; returns the hash."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")
