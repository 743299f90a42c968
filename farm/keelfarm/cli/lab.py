"""`farm lab up [--boards N]` / `farm lab down` / `farm lab status`: the local lab.
`farm lab sweep` runs the lease sweeper in the foreground (the lab starts one; a
coordinator elsewhere, e.g. the demo farm's container, runs it beside itself);
`farm lab restore` gives the sweeper's recorded reservations back once, to be run right
after that coordinator (re)starts and before its sweeper does; `farm lab coordinator`
is the demo farm's coordinator container as one process (lab/station.py)."""

from __future__ import annotations

from ..errors import FarmError
from ..lab.lab import Lab, LabSettings
from ..remote import coordinator_address, split_address


def register(sub) -> None:
    p = sub.add_parser("lab", help="run a local lab: coordinator, exporter and vboards")
    p.add_argument("action", choices=["up", "down", "status", "serve", "restart-exporter",
                                      "sweep", "restore", "coordinator"],
                   help="serve = up in the foreground until SIGTERM, then down")
    p.add_argument("--boards", type=int, default=2, help="number of vboards (default 2)")
    p.add_argument("--dir", default="build/lab", help="run directory (default build/lab)")
    p.add_argument("--port", type=int, default=20408, help="coordinator port (default 20408)")
    p.add_argument("--qemu", help="QEMU executable for the vboards")
    p.add_argument("--external", action="store_true",
                   help="use the coordinator at -c/$LG_COORDINATOR instead of starting one")
    p.add_argument("--tftp", help="TFTP root (default <dir>/tftp)")
    p.add_argument("--name", default="keel-lab", help="exporter name (default keel-lab)")
    p.add_argument("--schedule", metavar="FILE",
                   help="coordinator: also run `farm campaign schedule --config FILE`")
    p.add_argument("--disk", metavar="IMAGE",
                   help="give each vboard an NVMe drive: its own copy of IMAGE "
                        "(e.g. build/os/disk.img), which a test may reset")
    p.add_argument("--first", type=int, default=1, metavar="N",
                   help="number of the first vboard (default 1); a second exporter on the "
                        "same coordinator starts after the first one's boards")
    p.set_defaults(func=run)


def settings(args) -> LabSettings:
    for option, value in (("--boards", args.boards), ("--first", args.first)):
        if value < 1:
            raise FarmError(f"lab: {option} must be 1 or more, not {value}")
    host, port = "127.0.0.1", args.port
    if args.external:
        host, port = split_address(coordinator_address(args.coordinator))
    return LabSettings(run_dir=args.dir, boards=args.boards, port=port, host=host,
                       qemu=args.qemu, external=args.external, exporter_name=args.name,
                       tftp_root=args.tftp, first=args.first, disk=args.disk)


def run(args) -> int:
    if args.action == "sweep":
        from ..lab.sweeper import Sweeper
        Sweeper(coordinator_address(args.coordinator), args.dir,
                say=lambda s: print(s, flush=True)).run()
        return 0
    if args.action == "restore":
        from ..lab.sweeper import restore_once
        given = restore_once(coordinator_address(args.coordinator), args.dir,
                             lambda s: print(s, flush=True))
        print(f"lab: {len(given)} reservation{'' if len(given) == 1 else 's'} given back")
        return 0
    if args.action == "coordinator":
        from ..lab.station import serve_coordinator
        return serve_coordinator(coordinator_address(args.coordinator), args.dir,
                                 schedule=args.schedule, say=lambda s: print(s, flush=True))
    lab = Lab(settings(args))
    if args.action == "serve":
        return lab.serve()
    if args.action == "up":
        lab.up()
    elif args.action == "down":
        lab.down()
    elif args.action == "restart-exporter":
        lab.restart_exporter()
    else:
        state = lab.recorded()
        if lab.is_up():
            print(f"lab: up at {state['coordinator']}, boards {', '.join(state['boards'])}")
        else:
            print("lab: down")
            return 1
    return 0

