"""Test results from pytest's JUnit XML (`-o junit_family=xunit1`, which keeps each test's
properties): verdict, duration, first line of the failure, and what the Keel plugin
attached — console log, boot-stage times (`stage_<name>`), benchmark figures
(`bench:<name>`), what a test counted (`count:<name>`) and the crash signature
(`crash_signature`, `crash_group`, `crash_kind`, `crash_frames`).

A test that booted more than once has its later boots' properties prefixed
(`boot2_...`); stages and figures come from the first boot, the crash from the first
boot that had one — a crash the boot provoked on purpose (`crash_expected`) only if no
boot had another: a failed kfuzz run, whose children fault on purpose, is filed under
its own failure message, not under the first child's fault.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .resultsdb import ERROR, FAILED, PASSED, SKIPPED, XFAILED, ResultRecord

MAX_MESSAGE = 500
_LATER_BOOT_RE = re.compile(r"^boot\d+_(?P<name>.*)$")


class JunitError(Exception):
    """The file is missing or is not JUnit XML."""


def case_id(classname: str, name: str) -> str:
    """`tests.test_boot` + `test_boot[smp4]` -> `test_boot::test_boot[smp4]`."""
    module = classname.removeprefix("tests.") if classname else ""
    return f"{module}::{name}" if module else name


def read_junit(path: str | Path) -> list[ResultRecord]:
    """Every test case of a JUnit XML file as a ResultRecord."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise JunitError(f"{path}: {exc}") from exc
    if root.tag not in ("testsuites", "testsuite"):
        raise JunitError(f"{path}: not JUnit XML (root element <{root.tag}>)")
    return [case_result(case) for case in root.iter("testcase")]


def case_verdict(case: ET.Element) -> tuple[str, ET.Element | None]:
    """The verdict of one <testcase> and the element that explains it."""
    failure, error, skipped = case.find("failure"), case.find("error"), case.find("skipped")
    if failure is not None:
        return FAILED, failure
    if error is not None:
        return ERROR, error
    if skipped is not None:
        kind = XFAILED if skipped.get("type") == "pytest.xfail" else SKIPPED
        return kind, skipped
    return PASSED, None


def first_line(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    text = element.get("message") or element.text or ""
    line = next((x.strip() for x in text.splitlines() if x.strip()), "")
    return line[:MAX_MESSAGE] or None


def case_result(case: ET.Element) -> ResultRecord:
    verdict, why = case_verdict(case)
    props = [(p.get("name") or "", p.get("value") or "") for p in case.iter("property")]
    first = {name: value for name, value in props if not _LATER_BOOT_RE.match(name)}
    result = ResultRecord(test=case_id(case.get("classname", ""), case.get("name", "")),
                        verdict=verdict, duration=_float(case.get("time")),
                        message=first_line(why), log_path=first.get("console_log"),
                        kernel_build=first.get("kernel_build"))
    for name, value in first.items():
        number = _float(value)
        if number is None:
            continue
        if name.startswith("stage_"):
            result.stages[name.removeprefix("stage_")] = number
        elif name.startswith("bench:"):
            result.bench[name.removeprefix("bench:")] = number
        elif name.startswith("count:"):
            result.tallies[name.removeprefix("count:")] = number
        elif name == "attempts":
            result.attempts = int(number)
    crash = _first_crash(props, verdict)
    if crash:
        result.signature = crash.get("crash_signature")
        result.signature_group = crash.get("crash_group")
        result.crash_kind = crash.get("crash_kind")
        result.frames = crash.get("crash_frames")
    return result


def _first_crash(props: list[tuple[str, str]], verdict: str) -> dict[str, str]:
    """The crash_* properties of the first boot that has an unexpected crash, unprefixed;
    for a passed test without one, those of the first expected crash (what the test
    provoked, shown beside its pass); for any other verdict, none: the failure message is
    the failure's signature."""
    by_boot: dict[str, dict[str, str]] = {}
    for name, value in props:
        m = _LATER_BOOT_RE.match(name)
        boot, key = (name[:name.index("_") + 1], m.group("name")) if m else ("", name)
        if key.startswith("crash_"):
            by_boot.setdefault(boot, {})[key] = value
    unexpected = [c for c in by_boot.values() if "crash_expected" not in c]
    if unexpected:
        return unexpected[0]
    return next(iter(by_boot.values()), {}) if verdict == PASSED else {}


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None
