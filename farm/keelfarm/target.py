"""A labgrid Target for a farm place, built from the place's environment file.

The environment is chosen by the place's ``board`` tag (farm/envs/<board>.yaml) unless
one is given; its RemotePlace resolves through the caller's coordinator session, so one
`farm` command uses one connection.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from .errors import FarmError

ENVS = Path(__file__).resolve().parent.parent / "envs"
READY_TIMEOUT = 30.0


def unready_resources(coord, name: str) -> list[str]:
    """What keeps a held place from being usable: resources of its lock that are gone,
    unavailable, not (re)acquired for it, or a serial port not served yet.  After an
    exporter restart the coordinator re-acquires them by itself within seconds."""
    place = coord.place(name)
    problems = []
    if not place.acquired_resources:
        problems.append("no resources acquired")
    for exporter, group, cls, rname in place.acquired_resources:
        entry = coord.resources().get(exporter, {}).get(group, {}).get(rname)
        label = f"{exporter}/{group}/{rname}"
        if entry is None or not entry.data:  # a deleted resource keeps an empty entry
            problems.append(f"{label} is gone")
        elif not entry.avail:
            problems.append(f"{label} is unavailable")
        elif entry.acquired != name:
            problems.append(f"{label} is not acquired for {name}")
        elif cls == "NetworkSerialPort" and not entry.params.get("port"):
            problems.append(f"{label} is not served yet")
    return problems


def await_place_ready(coord, name: str, timeout: float = READY_TIMEOUT,
                      clock=time.monotonic, sleep=time.sleep) -> None:
    """Wait (bounded) until the place's resources are usable; FarmError if they are not."""
    deadline = clock() + timeout
    while True:
        coord.sync()
        problems = unready_resources(coord, name)
        if not problems:
            return
        if clock() >= deadline:
            raise FarmError(f"{name} is not usable (exporter down?): {'; '.join(problems)}")
        sleep(0.5)


def env_file_for(place, env_file: str | None = None) -> str:
    if env_file:
        if not os.path.isfile(env_file):
            raise FarmError(f"environment {env_file} not found")
        return env_file
    board = place.tags.get("board")
    if not board:
        raise FarmError(f"{place.name} has no board tag; pass --env FILE")
    path = ENVS / f"{board}.yaml"
    if not path.is_file():
        raise FarmError(f"no environment for board={board} ({path}); pass --env FILE")
    return str(path)


_targets: list = []  # the targets place_target made in this process


def _retire_targets(manager) -> None:
    """Forget the targets made before: labgrid's remote-place manager keeps (and polls)
    every remote resource it ever expanded, and the entries of a target from before an
    exporter restart can be empty, which its poll does not survive.  One place target
    per process at a time: older ones are deactivated and dropped."""
    while _targets:
        old = _targets.pop()
        with contextlib.suppress(Exception):  # an old target's teardown must not stop us
            old.deactivate_all_drivers()
        manager.resources = [r for r in manager.resources if r.target is not old]
        manager.unmanaged_resources = [r for r in manager.unmanaged_resources
                                       if r.target is not old]


def place_target(coord, name: str, env_file: str | None = None):
    """The ``main`` target of the place's environment, bound to place ``name``.  A target
    made earlier in this process is retired (see _retire_targets)."""
    from labgrid import Environment
    from labgrid.resource.remote import RemotePlaceManager

    path = env_file_for(coord.place(name), env_file)
    await_place_ready(coord, name)
    os.environ["LG_PLACE"] = name
    os.environ["LG_COORDINATOR"] = coord.address
    manager = RemotePlaceManager.get()
    _retire_targets(manager)
    manager.session = coord.session
    manager.loop = coord.loop
    try:
        target = Environment(path).get_target("main")
    except Exception as e:
        raise FarmError(f"{name}: cannot set up a target from {path}: {e}") from e
    if target is None:
        raise FarmError(f"{path} has no 'main' target")
    _targets.append(target)
    return target
