"""`farm vboard NAME...`: run virtual Unmatched boards in the foreground."""

from __future__ import annotations

from ..errors import FarmError
from ..vboard.daemon import BoardSpec, Daemon
from ..vboard.machine import QEMU, UBOOT_SMODE, MachineConfig


def register(sub) -> None:
    p = sub.add_parser("vboard", help="run virtual Unmatched boards (PDU + serial + QEMU)")
    p.add_argument("names", nargs="+", metavar="NAME", help="board names")
    p.add_argument("--run-dir", required=True, help="where <name>.json state files go")
    p.add_argument("--tftp-root", required=True, help="TFTP root the boards' U-Boot reads")
    p.add_argument("--host", default="127.0.0.1", help="PDU listen address (default loopback)")
    p.add_argument("--port", type=int, default=0,
                   help="PDU port of the first board, the next ones follow (default: free ports)")
    p.add_argument("--qemu", default=QEMU, help="QEMU executable")
    p.add_argument("--firmware", default=UBOOT_SMODE, help="S-mode U-Boot ELF")
    p.add_argument("--nvme", help="raw disk image: each board gets a copy of it as its NVMe "
                                  "drive (POST /disk/reset on its PDU copies it again)")
    p.set_defaults(func=run)


def run(args) -> int:
    specs = [BoardSpec(name, args.port + i if args.port else 0)
             for i, name in enumerate(args.names)]
    config = MachineConfig(tftp_root=args.tftp_root, qemu=args.qemu, firmware=args.firmware,
                           nvme=args.nvme)
    try:
        Daemon(specs, args.run_dir, config, host=args.host).serve()
    except OSError as e:
        raise FarmError(f"vboard: {e}") from e
    return 0
