"""`farm lab up [--boards N]` / `farm lab down` / `farm lab status`: the local lab."""

from __future__ import annotations

from ..lab.lab import Lab, LabSettings


def register(sub) -> None:
    p = sub.add_parser("lab", help="run a local lab: coordinator, exporter and vboards")
    p.add_argument("action", choices=["up", "down", "status", "restart-exporter"])
    p.add_argument("--boards", type=int, default=2, help="number of vboards (default 2)")
    p.add_argument("--dir", default="build/lab", help="run directory (default build/lab)")
    p.add_argument("--port", type=int, default=20408, help="coordinator port (default 20408)")
    p.add_argument("--qemu", help="QEMU executable for the vboards")
    p.set_defaults(func=run)


def run(args) -> int:
    lab = Lab(LabSettings(run_dir=args.dir, boards=args.boards, port=args.port, qemu=args.qemu))
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
