"""Strategy for Keel on QEMU: OpenSBI loads the kernel directly (`-kernel`).

States: `off` (no QEMU), `booted` (the kernel said `keel: all harts online`), `shell`
(booted without `init=`, logged in on the console through the environment's
ShellDriver, see login.py), and `unknown` (QEMU runs, nothing checked yet: after
`power_on()` alone, or at start).

Every boot can use its own hart count and kernel command line (`configure()`), gets a
fresh `ConsoleRecorder` (log file, stage times, parsed contract lines) in `recorder`, and
is bounded by a timeout.  Tests that expect the kernel to stop by itself (`ktest`,
`panic`) use `power_on()` and `wait_exit()` instead of `transition("booted")`.
"""

from __future__ import annotations

import enum

import attr
from labgrid.factory import target_factory
from labgrid.step import step
from labgrid.strategy import Strategy, StrategyError

from ..console import EXITED, ONLINE_LINE, REBOOT_LINE, TIMED_OUT, ConsoleRecorder, watch
from ..errors import BootError
from ..protocol import KeelBootProtocol
from .login import check_shell_config, log_in


class Status(enum.Enum):
    unknown = 0
    off = 1
    booted = 2
    shell = 3


def describe_stages(recorder: ConsoleRecorder) -> str:
    stages = recorder.boot.stages
    if not stages:
        return "no boot stage reached"
    return "stages: " + ", ".join(f"{name} {t:.2f} s" for name, t in stages.items())


@target_factory.reg_driver
@attr.s(eq=False)
class KeelQEMUStrategy(Strategy, KeelBootProtocol):
    """Boots Keel under QEMU and waits for all harts to come online.

    Args:
        boot_timeout (float): seconds from power-on to `keel: all harts online`
    """

    bindings = {"qemu": "KeelQEMUDriver", "shell": {"ShellDriver", None}}
    states = Status

    status = attr.ib(default=Status.unknown)
    boot_timeout = attr.ib(default=60.0, converter=float)

    def __attrs_post_init__(self):
        super().__attrs_post_init__()
        self.default_smp = self.qemu.smp
        self.default_append = self.qemu.boot_args
        self.smp = self.default_smp
        self.append = self.default_append
        self.deterministic = False
        self.reboots = False
        self._reboots_followed = 0
        self.log_path = None
        self.recorder: ConsoleRecorder | None = None
        self._running_config = None

    @property
    def stages(self) -> dict[str, float]:
        """Seconds from power-on to each stage seen in the last boot."""
        return dict(self.recorder.boot.stages) if self.recorder else {}

    def configure(self, *, smp: int | None = None, append: str | None = None,
                  log_path=None, deterministic: bool | str = False,
                  reboots: bool = False) -> None:
        """Choose the next boot's hart count, kernel command line and console log file.

        None keeps the environment file's value; `append=""` boots with no command line.
        `deterministic` runs the guest with instruction counting as its clock, so the
        instruction counts a benchmark prints repeat exactly; "idle-real-time" does too
        but lets an idle guest's clock run at the host's pace (for a guest that waits on
        a disk: its CPU time is still instructions, its waits are real).  `reboots`: a
        reset the guest asks for boots it again (`boot_again`) instead of ending QEMU.
        A booted target with a different configuration is rebooted by the next
        `transition("booted")`.
        """
        self.smp = self.default_smp if smp is None else smp
        self.append = self.default_append if append is None else append
        self.log_path = log_path
        self.deterministic = deterministic
        self.reboots = reboots

    def _config(self):
        return (self.smp, self.append, self.deterministic, self.reboots)

    @step(args=["status"])
    def transition(self, status, *, step):
        if not isinstance(status, self.states):
            status = self.states[status]
        if status == self.states.unknown:
            raise StrategyError(f"can not transition to {status}")
        if status == self.status and (status not in self.running_states()
                                      or self._running_config == self._config()):
            step.skip("nothing to do")
            return
        if status == self.states.off:
            self.power_off()
        elif status == self.states.booted:
            self.power_on()
            self.wait_online()
        elif status == self.states.shell:
            self.to_shell()
        else:
            raise StrategyError(f"no transition found from {self.status} to {status}")
        self.status = status

    def running_states(self) -> tuple:
        """The states in which Keel runs with the configured boot (`_running_config`)."""
        return (self.states.booted, self.states.shell)

    def to_shell(self) -> None:
        """Boot (unless booted with the configured command line already) and log in."""
        check_shell_config(self, self.append)
        if self.status not in self.running_states() \
                or self._running_config != self._config():
            self.transition(self.states.booted)
        log_in(self)

    def force(self, status):
        if not isinstance(status, self.states):
            status = self.states[status]
        if status != self.states.off:
            raise StrategyError(f"can not force state {status}: QEMU starts from off")
        self.power_off()

    def _prepare(self) -> None:
        """Set the driver up for the configured boot (the driver is inactive here)."""
        self.qemu.smp = self.smp
        args = self.append or ""
        self.qemu.boot_args = args or None
        self.qemu.icount = bool(self.deterministic)
        self.qemu.icount_sleep = self.deterministic == "idle-real-time"
        self.qemu.reboots = self.reboots

    def power_on(self) -> ConsoleRecorder:
        """Start QEMU with the configured boot; return the new boot's recorder.

        Nothing is read from the console yet, so listeners added to the recorder now see
        every line.
        """
        self.power_off()
        self._prepare()
        self.target.activate(self.qemu)
        self.recorder = ConsoleRecorder(self.log_path)
        self.recorder.attach(self.qemu)
        self._reboots_followed = 0
        self._running_config = self._config()
        self.status = self.states.unknown
        self.qemu.on()
        return self.recorder

    def power_off(self) -> None:
        """Stop QEMU (if it runs) and close the boot's recorder; the recorder stays."""
        self.target.deactivate(self.qemu)
        if self.recorder is not None:
            self.recorder.close()
        self._running_config = None
        self.status = self.states.off

    def reset_disk(self) -> None:
        self.power_off()
        self.qemu.reset_disk()

    def wait_online(self, timeout: float | None = None) -> ConsoleRecorder:
        """Read the console until `keel: all harts online`; BootError if it never comes
        (its stage: 'panic', 'banner' if not even the banner came, else 'online')."""
        rec = self._require_recorder()
        timeout = self.boot_timeout if timeout is None else timeout
        boot = rec.boot
        outcome = watch(self.qemu, lambda: boot.online or boot.panic is not None
                        or boot.failure is not None, timeout)
        if boot.online:
            return rec
        if boot.panic is not None:
            stage, why = "panic", f"the kernel panicked: {boot.panic.signature}"
        elif boot.failure is not None:
            stage, why = "online", f"the kernel said {boot.failure!r}"
        else:
            stage = "online" if boot.banner else "banner"
            why = (f"QEMU exited with status {self.qemu.wait_exit(5)}" if outcome == EXITED
                   else f"not within {timeout:.0f} s")
        raise BootError(stage, f"no '{ONLINE_LINE}': {why} ({describe_stages(rec)}); "
                               f"console log {rec.log_path}; last lines:\n{rec.tail()}")

    def boot_again(self, timeout: float | None = None) -> ConsoleRecorder:
        """After `keel: rebooting`: the firmware starts again and loads the same kernel and
        boot image (QEMU restores them at a reset); wait until Keel is online again."""
        if not self.reboots:
            raise StrategyError("this boot was configured without reboots: QEMU ends at "
                                "a guest reset (configure(reboots=True))")
        self.await_reboot(timeout)
        self.status = self.states.unknown
        if getattr(self, "shell", None) is not None:
            self.target.deactivate(self.shell)  # the login ended with the old boot
        rec = self.wait_online(timeout)
        self.status = self.states.booted
        return rec

    def await_reboot(self, timeout: float | None = None) -> None:
        """Read the console until the kernel says it resets the machine (a reboot not
        followed yet); BootError if it does not within `timeout` (default boot_timeout).
        The recorder's `boot` is the next boot's from that line on."""
        rec = self._require_recorder()
        timeout = self.boot_timeout if timeout is None else timeout
        seen = self._reboots_followed
        watch(self.qemu, lambda: len(rec.earlier_boots) > seen, timeout)
        if len(rec.earlier_boots) <= seen:
            raise BootError("reboot", f"no '{REBOOT_LINE}' within {timeout:.0f} s; console "
                                      f"log {rec.log_path}; last lines:\n{rec.tail()}")
        self._reboots_followed = seen + 1

    def hart_pcs(self) -> list[tuple[int, int]]:
        """Each hart's (QEMU vCPU's) program counter now: where a quiet machine is."""
        return self.qemu.hart_pcs()

    def wait_exit(self, timeout: float, until=None) -> int | None:
        """Read the console until QEMU exits by itself; its exit status, or None if it
        still runs after `timeout` seconds (it is left running: `power_off()` ends it).

        `until`, if given, is checked as lines arrive and stops the wait early when true.
        """
        self._require_recorder()
        outcome = watch(self.qemu, until or (lambda: False), timeout)
        if outcome == EXITED:
            return self.qemu.wait_exit(5)
        if outcome == TIMED_OUT:
            return None
        return self.qemu.poll()

    def _require_recorder(self) -> ConsoleRecorder:
        if self.recorder is None or self._running_config is None:
            raise StrategyError("QEMU is not running: call power_on() first")
        return self.recorder
