"""A labgrid Target for a farm place, built from the place's environment file.

The environment is chosen by the place's ``board`` tag (farm/envs/<board>.yaml) unless
one is given; its RemotePlace resolves through the caller's coordinator session, so one
`farm` command uses one connection.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import FarmError

ENVS = Path(__file__).resolve().parent.parent / "envs"


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


def place_target(coord, name: str, env_file: str | None = None):
    """The ``main`` target of the place's environment, bound to place ``name``."""
    from labgrid import Environment
    from labgrid.resource.remote import RemotePlaceManager

    path = env_file_for(coord.place(name), env_file)
    os.environ["LG_PLACE"] = name
    os.environ["LG_COORDINATOR"] = coord.address
    manager = RemotePlaceManager.get()
    manager.session = coord.session
    manager.loop = coord.loop
    try:
        target = Environment(path).get_target("main")
    except Exception as e:
        raise FarmError(f"{name}: cannot set up a target from {path}: {e}") from e
    if target is None:
        raise FarmError(f"{path} has no 'main' target")
    return target
