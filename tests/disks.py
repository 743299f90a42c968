"""The environment's targets with the disk attached (option `keel_disk`: how, virtio or
nvme), for the suites that run once per disk interface (test_disk.py, test_bench.py)."""

from labgrid.pytestplugin.hooks import LABGRID_ENV_KEY


def disk_targets(config) -> list[tuple[str, str]]:
    """(target, interface) for each target of the environment with a keel_disk."""
    env = config.stash.get(LABGRID_ENV_KEY, None)
    targets = env.config.get_targets() if env is not None else {}
    return [(name, options["keel_disk"]) for name, t in targets.items()
            if (options := (t or {}).get("options") or {}).get("keel_disk")]
