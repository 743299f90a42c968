#!/usr/bin/env bash
# Target test suites on every target configuration, through labgrid (--lg-env).
# JUnit XML goes to build/test-results/, console logs to build/test-logs/<env>/.
# Exits non-zero if any test failed or errored, if a run broke, or if no test ran.
# Usage: tests/run.sh [extra pytest arguments, e.g. -k boot]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
py=.venv/bin/python
results=build/test-results
logs=build/test-logs
image=build/os/Image
run_timeout=1800   # seconds for one environment's whole suite

if [ ! -f "$image" ]; then
  echo "tests/run.sh: $image is missing; build it with make" >&2
  exit 1
fi
mkdir -p "$results" "$logs"

status=0
xmls=()

# run_env <env name> [pytest arguments...]: one suite run against farm/envs/<name>.yaml;
# returns pytest's status.  Each run has its own JUnit file, log directory and pytest
# temporary directory, so two can run at once.
run_env() {
  local name=$1; shift
  local xml="$results/target-$name.xml"
  rm -f "$xml"
  rm -rf "${logs:?}/$name" "build/pytest-tmp/$name"
  mkdir -p "build/pytest-tmp/$name"
  echo "==== target tests: $name"
  timeout --kill-after=30 "$run_timeout" "$py" -m pytest tests \
    --lg-env="farm/envs/$name.yaml" --rootdir="$top" -p no:cacheprovider \
    --basetemp="build/pytest-tmp/$name" \
    --keel-log-dir="$logs" --junitxml="$xml" -o junit_family=xunit1 \
    -v -rfEs "$@"
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "tests/run.sh: $name: pytest exited with status $rc" >&2
  fi
  return "$rc"
}

# What each place's per-commit run leaves out (campaign-length suites everywhere, the slow
# tests and U-Boot's on all but virt, ...) is its environment's keel_per_commit option,
# applied by --keel-per-commit: farm ci runs the same selection (keelfarm/selection.py).
#
# The two QEMU places run side by side: a suite keeps about one of the two cores busy (a
# load average of 1.0 to 1.4 over a qemu-virt run), so together they take about the time
# of the longer one instead of the sum.  sifive_u's output is held in a file and printed
# whole when it is done, after qemu-virt's.
sifive_out="$logs/qemu-sifive-u.out"
run_env qemu-sifive-u --keel-per-commit "$@" > "$sifive_out" 2>&1 &
sifive_pid=$!
# stopped from outside (CI's time limit, ^C): the background suite goes too
trap 'pkill -TERM -P "$sifive_pid"; kill "$sifive_pid" 2>/dev/null; exit 130' INT TERM
run_env qemu-virt --keel-per-commit "$@" || status=1
wait "$sifive_pid" || status=1
trap - INT TERM
cat "$sifive_out"
xmls+=("$results/target-qemu-virt.xml" "$results/target-qemu-sifive-u.xml")

# ---- vboard integration run (added by the vboard work) ----
# A local lab on loopback (coordinator, exporter, two vboards; own port and directory),
# the farm CLI round trip, the suites on a reserved vboard, the lab fault tests.
bash farm/labtests/run.sh "$results" "$logs" "$@" || status=1
xmls+=("$results/target-vboard.xml" "$results/target-vboard-2.xml"
       "$results/target-vboard-faults.xml" "$results/target-vboard-farm.xml")

# Totals over every JUnit file; a run that wrote none counts as broken.
"$py" - "${xmls[@]}" <<'PY' || status=1
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
broken = []
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        broken.append(f"{path}: {exc}")
        continue
    for suite in root.iter("testsuite"):
        tests = int(suite.get("tests", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0))
        passed += tests - bad - skip
        failed += bad
        skipped += skip
for line in broken:
    print(f"tests/run.sh: no results: {line}", file=sys.stderr)
if skipped:
    print(f"target-test: {skipped} skipped")
print(f"target-test: {passed} passed, {failed} failed")
sys.exit(1 if failed or broken or passed == 0 else 0)
PY

exit "$status"
