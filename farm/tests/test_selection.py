"""Per-commit selection: each environment says what a per-commit run on it leaves out,
and `--keel-per-commit` (make test's runs, farm ci) applies it through pytest's own -m
and --deselect."""

import subprocess
import sys
import textwrap
from pathlib import Path

import fake_qemu
import pytest
from labgrid.util.yaml import load

from keelfarm.selection import SelectionError, cannot_run, mark_expression, per_commit

ENVS = Path(__file__).resolve().parents[1] / "envs"
TESTS = Path(__file__).resolve().parents[2] / "tests"


def test_the_markers_left_out_join_the_expression_asked_for():
    assert mark_expression("boot", ["slow", "campaign"]) == "(boot) and not slow and not campaign"
    assert mark_expression("boot or login", []) == "boot or login"
    assert mark_expression(None, ["campaign"]) == "not campaign"
    assert mark_expression("", []) is None


def test_a_malformed_option_is_one_line_saying_what_is_wrong():
    assert per_commit(None) == ([], [])
    assert per_commit({"keel_per_commit": {"not_marked": ["slow"]}}) == (["slow"], [])
    for value, said in [("slow", "must be a mapping"),
                        ({"not_marked": "slow"}, "not_marked must be a list of names"),
                        ({"deselect": [""]}, "deselect must be a list of names"),
                        ({"not_marked": ["not slow"]}, "'not slow' is not a marker name"),
                        ({"skip": ["x"]}, "unknown key(s) skip")]:
        with pytest.raises(SelectionError) as e:
            per_commit({"keel_per_commit": value})
        assert said in str(e.value) and "\n" not in str(e.value)
    assert cannot_run({"keel_cannot_run": ["t.py::t"]}) == ["t.py::t"]
    with pytest.raises(SelectionError, match="keel_cannot_run must be a list of test node"):
        cannot_run({"keel_cannot_run": "t.py::t"})


def env_selection(name: str) -> tuple[list[str], list[str], list[str]]:
    """(markers, node ids) a per-commit run leaves out, and node ids no run can hold."""
    config = load((ENVS / f"{name}.yaml").read_text())  # labgrid's loader: !template
    options = config["targets"]["main"].get("options")
    return (*per_commit(options), cannot_run(options))


def test_each_farm_environment_says_what_its_per_commit_run_leaves_out():
    selections = {p.stem: env_selection(p.stem) for p in ENVS.glob("*.yaml")}
    assert set(selections) == {"qemu-virt", "qemu-sifive-u", "vboard", "unmatched"}
    for name, (marks, _, _) in selections.items():
        assert "campaign" in marks, name  # campaign-length suites run only when asked
    assert selections["qemu-virt"] == (["campaign"], [], [])  # virt runs the slow tests
    assert {"slow", "uboot"} <= set(selections["qemu-sifive-u"][0])
    assert {"slow", "uboot", "bench", "fuzz"} <= set(selections["vboard"][0])
    # a board has no window on its harts: the same test is left out of every run on both
    assert selections["unmatched"][2] == [
        "tests/test_boot.py::test_a_quiet_machine_shows_where_its_harts_are"]
    # and a vboard has its disk, so its /etc is writable
    assert selections["vboard"][2] == selections["unmatched"][2] + [
        "tests/test_login.py::test_passwd_without_a_writable_etc_changes_nothing"]


def test_every_test_an_environment_leaves_out_exists():
    """A renamed test would quietly come back into a run that cannot hold it."""
    for path in ENVS.glob("*.yaml"):
        _, left_out, cannot = env_selection(path.stem)
        for node in left_out + cannot:
            file, _, name = node.partition("::")
            assert f"def {name.split('[')[0]}(" in (TESTS.parent / file).read_text(), node


SUITE = '''
import pytest


@pytest.mark.boot
def test_boot(keel_boot):
    keel_boot(smp=1)


@pytest.mark.boot
def test_gone(keel_boot):
    assert False, "left out by node id"


@pytest.mark.boot
@pytest.mark.slow
@pytest.mark.ktap(append="ktest")
def test_slow_k(ktap_case):
    ktap_case.check()


@pytest.mark.login
def test_other_suite():
    assert False, "not asked for"
'''


def session(tmp_path, option: str, *args):
    env = fake_qemu.write_env(tmp_path)
    text = env.read_text()
    main_options = "  main:\n    options:\n"
    assert main_options in text
    env.write_text(text.replace(main_options, main_options + option, 1))
    (tmp_path / "test_suite.py").write_text(textwrap.dedent(SUITE))
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    boot: b\n    slow: s\n    login: l\n")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "test_suite.py", f"--lg-env={env}", "-v",
         "-p", "no:cacheprovider", f"--keel-log-dir={tmp_path / 'logs'}", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)


LEAVE_OUT = ("      keel_per_commit:\n        not_marked: [slow]\n"
             "        deselect: [test_suite.py::test_gone]\n")


def test_keel_per_commit_leaves_out_what_the_environment_says_and_boots_none_of_it(tmp_path):
    proc = session(tmp_path, LEAVE_OUT, "-m", "boot", "--keel-per-commit")
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "test_suite.py::test_boot PASSED" in out
    assert "1 passed, 3 deselected" in out, out
    # the slow KTAP test was left out by -m, so its run never booted while collecting
    assert sorted(p.name for p in (tmp_path / "logs" / "env").iterdir()) == ["test_boot.log"]


def test_without_the_option_the_environment_s_leave_outs_do_not_apply(tmp_path):
    proc = session(tmp_path, LEAVE_OUT, "-m", "boot", "-k", "gone")
    assert proc.returncode == 1 and "left out by node id" in proc.stdout, proc.stdout


def test_what_the_place_cannot_run_is_left_out_of_every_run(tmp_path):
    proc = session(tmp_path, "      keel_cannot_run: [test_suite.py::test_gone]\n",
                   "-m", "boot and not slow")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed, 3 deselected" in proc.stdout, proc.stdout


def test_a_malformed_leave_out_stops_the_session_with_one_line(tmp_path):
    proc = session(tmp_path, "      keel_per_commit: [slow]\n", "--keel-per-commit")
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "env.yaml: keel_per_commit must be a mapping with not_marked and deselect" in \
        proc.stderr, proc.stderr
