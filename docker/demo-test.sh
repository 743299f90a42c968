#!/usr/bin/env bash
# The demo farm's test, one command (run by `make docker` after docker/build.sh):
# bring docker/compose.yaml up, drive it with farm/labtests/demo_farm.py — four vboards
# behind two exporter containers, reserve/boot/release, an expired lease freed by the
# coordinator container's sweeper, a campaign across both exporters into the demo's
# PostgreSQL, the dashboard container in chromium — and bring it down again, volumes
# included, on every exit path.
#
# Like docker/build.sh it needs nothing on the host but Docker: the test runs in a
# container of the build image on the host's network, with the tree copied in and the
# Keel image build.sh built (build/docker/os) as its build/os; the TFTP directory is
# mounted at the same path in the test's and the exporters' containers, as the host's
# would be.  The demo runs as its own compose project on ports of its own
# (KEEL_DEMO_PORT, KEEL_DEMO_DB_PORT, KEEL_DEMO_WEB_PORT; default 21528, 21532, 21580),
# so a demo someone has up (20428) is left alone.
#
# The coordinator container's scheduler gets a schedule of one campaign, due a few
# minutes after the demo comes up, and the test waits for its result.
#
# Usage: docker/demo-test.sh [pytest arguments]
# Environment: KEEL_BUILD_IMAGE (default keel/build:latest), KEEL_DEMO_OS (the Keel
#              build to boot, default build/docker/os).
# Results: build/demo-farm/ (demo-farm.xml, pytest.log, compose.log, screenshots/).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. docker/lib.sh

die() { echo "docker/demo-test.sh: error: $*" >&2; exit 1; }
say() { echo "==> $*"; }

export KEEL_DEMO_PORT=${KEEL_DEMO_PORT:-21528}
export KEEL_DEMO_DB_PORT=${KEEL_DEMO_DB_PORT:-21532}
export KEEL_DEMO_WEB_PORT=${KEEL_DEMO_WEB_PORT:-21580}
export KEEL_DEMO_TFTP=${KEEL_DEMO_TFTP:-/tmp/keel-demo-test-tftp}
export KEEL_DEMO_SCHEDULE=/tmp/keel-demo-test-schedule
export KEEL_BUILD_IMAGE=${KEEL_BUILD_IMAGE:-keel/build:latest}
os=${KEEL_DEMO_OS:-build/docker/os}
out=build/demo-farm
project=keel-demo-test

if command -v docker-compose >/dev/null; then
  compose() { docker-compose -p "$project" -f docker/compose.yaml "$@"; }
elif docker compose version >/dev/null 2>&1; then
  compose() { docker compose -p "$project" -f docker/compose.yaml "$@"; }
else
  die "neither docker-compose nor docker compose is installed"
fi
docker image inspect "$KEEL_BUILD_IMAGE" >/dev/null 2>&1 ||
  die "$KEEL_BUILD_IMAGE is missing: run make docker"
for f in Image initrd.cpio kernel.elf; do
  [ -f "$os/$f" ] || die "$os/$f is missing: run make docker (or set KEEL_DEMO_OS)"
done
export KEEL_DEMO_OS=$(cd "$os" && pwd)  # what the scheduler's campaigns boot (compose.yaml)
for port in "$KEEL_DEMO_PORT" "$KEEL_DEMO_DB_PORT" "$KEEL_DEMO_WEB_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is taken (another demo farm? set KEEL_DEMO_PORT, KEEL_DEMO_DB_PORT, KEEL_DEMO_WEB_PORT)"
  fi
done

rm -rf "$out"
mkdir -p "$out" "$KEEL_DEMO_TFTP"
cid=
finish() {
  [ -n "$cid" ] && docker rm -f "$cid" >/dev/null 2>&1
  compose logs --no-color >"$out/compose.log" 2>&1
  compose down -v --remove-orphans >/dev/null 2>&1 || echo "docker/demo-test.sh: compose down failed" >&2
}
trap finish EXIT

t0=$(date +%s)
say "demo farm images (compose project $project)"
if ! compose build >"$out/build.log" 2>&1; then
  tail -n 20 "$out/build.log" >&2
  die "docker compose build failed (log: $out/build.log)"
fi
# One campaign for the coordinator container's scheduler, due two to three minutes
# after it starts (UTC, as in the container): test_boot on qemu-virt, once.
scheduled=$(date -u -d '+3 minutes' +%H:%M)
rm -rf "$KEEL_DEMO_SCHEDULE"
mkdir -p "$KEEL_DEMO_SCHEDULE"
cat >"$KEEL_DEMO_SCHEDULE/schedule.yaml" <<YAML
campaigns:
  - name: demo-test
    at: "$scheduled"
    suite: boot
    place: [qemu-virt]
    runs: 1
    extra: [--tests, tests/test_boot.py::test_boot]
YAML
say "demo farm up (coordinator 127.0.0.1:$KEEL_DEMO_PORT; a campaign scheduled at $scheduled UTC)"
if ! compose up -d >"$out/up.log" 2>&1; then
  tail -n 20 "$out/up.log" >&2
  die "docker compose up failed (log: $out/up.log)"
fi
[ "$(compose ps -q | wc -l)" = 5 ] || die "the demo farm did not start its five containers (log: $out/compose.log)"
t1=$(date +%s)

say "farm/labtests/demo_farm.py (in $KEEL_BUILD_IMAGE, booting $os)"
cid=$(docker create --network host -v "$KEEL_DEMO_TFTP:$KEEL_DEMO_TFTP" -w /opt/keel \
  -e KEEL_DEMO_COORDINATOR="127.0.0.1:$KEEL_DEMO_PORT" \
  -e KEEL_DEMO_DB="postgresql+psycopg2://keel@127.0.0.1:$KEEL_DEMO_DB_PORT/keel" \
  -e KEEL_DEMO_WEB="http://127.0.0.1:$KEEL_DEMO_WEB_PORT" \
  -e KEEL_DEMO_SCHEDULED="$scheduled" \
  -e KEEL_SCREENSHOT_DIR=/opt/keel/build/demo-farm/screenshots \
  "$KEEL_BUILD_IMAGE" timeout --kill-after=30 1800 .venv/bin/python -m pytest \
  farm/labtests/demo_farm.py -p no:cacheprovider -v -rfEs \
  --junitxml=build/demo-farm/demo-farm.xml -o junit_family=xunit1 "$@") ||
  die "could not create a container from $KEEL_BUILD_IMAGE"
copy_sources "$cid" || die "could not copy the source tree into the test's container"
tar -c --owner=0 --group=0 -C "$os" --transform 's,^\.,build/os,' . | docker cp - "$cid:/opt/keel" ||
  die "could not copy $os into the test's container"
docker start -a "$cid" 2>&1 | tee "$out/pytest.log"
status=${PIPESTATUS[0]}
[ "$status" = 0 ] && status=$(docker inspect -f '{{.State.ExitCode}}' "$cid")
docker cp "$cid:/opt/keel/build/demo-farm/." "$out/" 2>/dev/null ||
  echo "docker/demo-test.sh: the test left no build/demo-farm/ (no results, no screenshots)" >&2
t2=$(date +%s)
say "demo farm test: exit status $status; images and up $((t1 - t0)) s, tests $((t2 - t1)) s; results in $out/"
exit "$status"
