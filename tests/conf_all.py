"""The conformance programs (tests/target/conf-*) as subtests of one boot per target:
/bin/conf-all runs them one after another, each as its child, and prints each one's
KTAP as a subtest whose result says how the program ended.  A target boots once for
all of them instead of once per program; every test module still has its program's
cases as its own results (`test_conf_threads[<page>/<what>]`) and a `ktap-run` for the
program's end and summary (farm/keelfarm/pytestplugin.py, marker `subtest=`)."""

import pytest

# The programs of the shared run, in the order they run.  Every test naming one of them
# asks for this same command line, which is what makes the boot a shared one.  The
# kernel takes up to 16 words and 255 bytes after init=.
PROGRAMS = ("conf-threads", "conf-clocks", "conf-libc", "conf-resmgr", "conf-process",
            "conf-stdio", "conf-dir", "conf-users", "conf-signals", "conf-tty", "conf-fork",
            "conf-files", "conf-pipe", "conf-devices", "conf-pty")
APPEND = "init=/bin/conf-all " + " ".join(PROGRAMS)
# Bound on the whole run (each program alone had the default 180 s): on a loaded 2-core
# host it took 23 s on one hart and 51 s on four (qemu-virt).  A quiet console still
# ends it after --keel-hang-timeout.
TIMEOUT = 600.0


def _pair(**marker):
    """Two tests taking `ktap_case` from the shared run: on one hart, on the board's."""

    @pytest.mark.ktap(append=APPEND, target="onehart", timeout=TIMEOUT, **marker)
    def one_hart(ktap_case):
        ktap_case.check()

    @pytest.mark.ktap(append=APPEND, timeout=TIMEOUT, **marker)
    def all_harts(ktap_case):
        ktap_case.check()

    return one_hart, all_harts


def conf_suite(program: str):
    """The pair of tests for one program's cases and end: on one hart, and on the
    board's harts."""
    if program not in PROGRAMS:
        raise ValueError(f"{program} is not one of conf_all.PROGRAMS")
    return _pair(subtest=program)


def conf_all_run():
    """The pair of tests for the shared run's own end: conf-all's summary over the
    programs, its exit status, the power-off, the KTAP structure as a whole."""
    return _pair(whole_run=True)
