#!/usr/bin/env bash
# The vboard integration run, called from tests/run.sh: a local lab on loopback (its own
# run directory and port, so a developer's `farm lab up` is left alone), then
#   1. the farm CLI round trip: reserve --wait, boot (prints the stage timings), shell
#      (a command's output and status), release, and shell on the released place;
#   2. the target suites (tests/) on both vboards, half each, through farm/envs/vboard.yaml,
#      the boot image loaded beside the kernel (login, shell and conformance too);
#   3. the lab fault tests (farm/labtests/vboard_faults.py);
#   4. `farm ci` and `farm campaign` on qemu-virt and the vboards, a second exporter
#      killed under a campaign (farm/labtests/farm_runs.py).
# The lab comes down on every exit path.  JUnit XML: <results>/target-vboard.xml and
# target-vboard-2.xml (the suites' two halves), <results>/target-vboard-faults.xml and
# <results>/target-vboard-farm.xml.
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
rm -f "$results/target-vboard.xml" "$results/target-vboard-2.xml" \
  "$results/target-vboard-faults.xml" "$results/target-vboard-farm.xml"
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

# The suites on both vboards at once, in two halves.  A vboard's run is mostly waiting
# (the PDU, U-Boot, TFTP, logins, the shell's round trips over ser2net): alone it keeps
# about one of the two cores busy (14.6 min for the whole run on one vboard); side by
# side, the two halves take about the time of the longer one.  The first half is the
# modules listed here; the second is every other module, so a new one is never left out.
# Measured on one vboard (JUnit times, s): login 157, disk 77, procfs 52, shell 40, spawn
# stress 63 (one case per commit on a board), tty 22, sysfs 18 = 429 against the second
# half's 413 (fs 97, the shared KTAP boots 134, user 62, ...).
first_half=(tests/test_login.py tests/test_disk.py tests/test_spawn_stress.py
            tests/test_procfs.py tests/test_shell.py tests/test_tty.py tests/test_sysfs.py)
second_half=(tests)
for module in "${first_half[@]}"; do
  second_half+=("--ignore=$module")
done

# vboard_suites HALF XML PLACE TESTS...: one half on a reserved place; pytest's status.
# Exit status 5 (no test collected: extra arguments such as -k that select nothing in
# this half) is no failure; the totals fail a run where no test ran at all.
vboard_suites() {
  local half=$1 xml=$2 place=$3; shift 3
  mkdir -p "build/pytest-tmp/vboard-$half"
  # What a vboard's per-commit run leaves out (the hart-window test, the benchmarks and
  # the fuzzer, ...) and why is farm/envs/vboard.yaml's keel_per_commit option.
  LG_PLACE=$place timeout --kill-after=30 "$run_timeout" "$py" -m pytest "$@" \
    --lg-env=farm/envs/vboard.yaml --rootdir="$top" -p no:cacheprovider \
    --basetemp="build/pytest-tmp/vboard-$half" \
    --keel-log-dir="$logs" --junitxml="$xml" -o junit_family=xunit1 \
    -v -rfEs --keel-per-commit "${extra[@]}"
  local rc=$?
  [ "$rc" = 5 ] && rc=0
  [ "$rc" = 0 ] || echo "farm/labtests/run.sh: vboard, $half half, on $place:" \
                        "pytest exited with status $rc" >&2
  return "$rc"
}

echo "==== target tests: vboard ($LG_COORDINATOR), two halves side by side"
extra=("$@")
place1=$(reserve_place)
place2=$(reserve_place)
if [ -z "$place1" ] || [ -z "$place2" ]; then
  echo "farm/labtests/run.sh: could not reserve two vboards for the suites" \
       "(got '${place1}' and '${place2}')" >&2
  exit 1
fi
rm -rf build/pytest-tmp/vboard-first build/pytest-tmp/vboard-second
first_out="$logs/vboard-first-half.out"
vboard_suites first "$results/target-vboard.xml" "$place1" "${first_half[@]}" \
  > "$first_out" 2>&1 &
first_pid=$!
# stopped from outside (CI's time limit, ^C): the background half goes too
# (the EXIT trap brings the lab down)
trap 'pkill -TERM -P "$first_pid"; kill "$first_pid" 2>/dev/null; exit 130' INT TERM
vboard_suites second "$results/target-vboard-2.xml" "$place2" "${second_half[@]}" || status=1
wait "$first_pid" || status=1
trap - INT TERM
echo "==== target tests: vboard, first half (${first_half[*]}), on $place1"
cat "$first_out"
"$farm" release "$place1" || status=1
"$farm" release "$place2" || status=1

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
