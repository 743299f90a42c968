#!/usr/bin/env bash
# The vboard integration run, called from tests/run.sh: a local lab on loopback (its own
# run directory and port, so a developer's `farm lab up` is left alone), then
#   1. the farm CLI round trip: reserve --wait, boot (prints the stage timings), shell
#      (a command's output and status), release, and shell on the released place;
#   2. the target suites (tests/) on a reserved vboard through farm/envs/vboard.yaml,
#      the boot image loaded beside the kernel (login, shell and conformance too);
#   3. the lab fault tests (farm/labtests/vboard_faults.py);
#   4. `farm ci` and `farm campaign` on qemu-virt and the vboards, a second exporter
#      killed under a campaign (farm/labtests/farm_runs.py).
# The lab comes down on every exit path.  JUnit XML: <results>/target-vboard.xml,
# <results>/target-vboard-faults.xml and <results>/target-vboard-farm.xml.
# Usage: farm/labtests/run.sh RESULTS_DIR LOGS_DIR [extra pytest arguments for tests/]
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
results=$1
logs=$2
shift 2
farm=.venv/bin/farm
py=.venv/bin/python
image=build/os/Image
lab_dir=build/lab-test
port=${KEEL_TEST_LAB_PORT:-20418}
run_timeout=1800
export LG_COORDINATOR=127.0.0.1:$port

# lab up|down [DISK]: with DISK, every vboard has its own copy of it (NVMe)
lab() { "$farm" lab "$1" --dir "$lab_dir" --port "$port" --boards 2 ${2:+--disk "$2"}; }

# reserve_place: reserve a healthy vboard (waiting for one), print its name
reserve_place() {
  "$farm" reserve --board vboard --wait --timeout 5m --lease 1h |
    awk '/^reserved /{print $2}'
}

echo "==== vboard integration: lab on $LG_COORDINATOR ($lab_dir)"
rm -f "$results/target-vboard.xml" "$results/target-vboard-faults.xml" \
  "$results/target-vboard-farm.xml"
lab up build/os/disk.img || exit 1
trap 'lab down' EXIT

status=0

echo "==== vboard integration: farm reserve / boot / release"
place=$(reserve_place)
if [ -z "$place" ]; then
  echo "farm/labtests/run.sh: could not reserve a vboard" >&2
  exit 1
fi
"$farm" boot "$place" --image "$image" --log-dir "$logs/vboard-cli" || status=1
# farm shell logs in on the booted place: the command's output, and its status as ours
out=$("$farm" shell "$place" --image "$image" --log-dir "$logs/vboard-cli" -- \
      'echo "uid $KSHUID"; exit 5')
rc=$?
if [ "$rc" != 5 ] || [ "$out" != "uid 0" ]; then
  echo "farm/labtests/run.sh: farm shell gave status $rc and output '$out'," \
       "want 5 and 'uid 0'" >&2
  status=1
fi
"$farm" release "$place" || status=1
"$farm" shell "$place" -- true 2>"$logs/vboard-cli/shell-released.err"
rc=$?
if [ "$rc" != 2 ]; then
  echo "farm/labtests/run.sh: farm shell on a released place exited $rc, want 2:" \
       "$(cat "$logs/vboard-cli/shell-released.err")" >&2
  status=1
fi

echo "==== target tests: vboard ($LG_COORDINATOR)"
place=$(reserve_place)
if [ -z "$place" ]; then
  echo "farm/labtests/run.sh: could not reserve a vboard for the suites" >&2
  exit 1
fi
# What a vboard's per-commit run leaves out (the hart-window test, the benchmarks and the
# fuzzer, ...) and why is farm/envs/vboard.yaml's keel_per_commit option.
LG_PLACE=$place timeout --kill-after=30 "$run_timeout" "$py" -m pytest tests \
  --lg-env=farm/envs/vboard.yaml --rootdir="$top" -p no:cacheprovider \
  --keel-log-dir="$logs" --junitxml="$results/target-vboard.xml" -o junit_family=xunit1 \
  -v -rfEs --keel-per-commit \
  "$@" || status=1
"$farm" release "$place" || status=1

echo "==== vboard integration: lab fault tests"
KEEL_LAB_DIR=$lab_dir KEEL_IMAGE=$image timeout --kill-after=30 "$run_timeout" \
  "$py" -m pytest farm/labtests/vboard_faults.py --rootdir="$top" -p no:cacheprovider \
  --junitxml="$results/target-vboard-faults.xml" -o junit_family=xunit1 -v -rfEs ||
  status=1

echo "==== vboard integration: farm ci and a campaign across two exporters"
KEEL_LAB_DIR=$lab_dir KEEL_IMAGE=$image timeout --kill-after=30 "$run_timeout" \
  "$py" -m pytest farm/labtests/farm_runs.py --rootdir="$top" -p no:cacheprovider \
  --junitxml="$results/target-vboard-farm.xml" -o junit_family=xunit1 -v -rfEs ||
  status=1

exit "$status"
