#!/usr/bin/env bash
# `make docker`: build Keel inside the Keel build image, from the current tree.
#
#   1. docker/mkbase.sh      local Debian base image (cached; root only the first time)
#   2. docker build          keel/build:latest from docker/Dockerfile (layer-cached)
#   3. build                 copy the source tree into a fresh container, run make
#                            there, copy its build/ back out to build/docker/ on the
#                            host (next to image.log, the log of step 2)
#   4. check                 build/docker/os/Image and build/docker/os/kernel.elf
#
# Nothing is bind-mounted: the tree goes in and the results come out through
# `docker cp`, so the host tree gets no root-owned files, the container's
# build never touches the host's build/, and no .venv is needed on the host.
#
# Usage: docker/build.sh [make arguments…]      (default: the default make target)
# Environment: KEEL_BUILD_IMAGE (default keel/build:latest),
#              KEEL_BASE_IMAGE (default keel/debian:bookworm), JOBS (make -j, default nproc)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. docker/lib.sh

image=${KEEL_BUILD_IMAGE:-keel/build:latest}
base=${KEEL_BASE_IMAGE:-keel/debian:bookworm}
out=build/docker
log=$out/image.log
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

die() { echo "docker/build.sh: error: $*" >&2; exit 1; }
say() { echo "==> $*"; }
now() { date +%s; }

command -v docker >/dev/null || die "docker CLI not found"
docker info >/dev/null 2>&1 || die "cannot talk to the Docker engine (is it running? are you allowed to use it?)"

t0=$(now)

# ---- 1. base image --------------------------------------------------------------------
say "base image"
KEEL_BASE_IMAGE=$base bash docker/mkbase.sh || die "could not build the base image (docker/mkbase.sh)"
tb=$(now)

# ---- 2. build image --------------------------------------------------------------------
# The context is only the installer and its inputs, streamed as a tar: the
# daemon never sees the rest of the tree, so no .dockerignore is needed.
# Owner, group-write bit and mtime are normalised: the builder's cache key
# includes file metadata, and who checked the tree out must not matter.
say "build image $image (log: $log)"
mkdir -p "$out"
ctx=(docker/Dockerfile ci/install-deps.sh ci/requirements.txt farm/pyproject.toml)
for f in "${ctx[@]}"; do [ -f "$f" ] || die "missing $f"; done
set +e
tar -c --owner=0 --group=0 --numeric-owner --mode=go-w --mtime=@0 "${ctx[@]}" |
  docker build --force-rm --build-arg BASE="$base" -f docker/Dockerfile -t "$image" - 2>&1 |
  tee "$log" |
  sed -un -E '/^Step [0-9]+\/[0-9]+ |^#[0-9]+ \[/s/^/    /p'
st=("${PIPESTATUS[@]}")
set -e
if [ "${st[1]}" != 0 ]; then
  echo "---- last lines of $log ----" >&2
  tail -n 25 "$log" >&2
  die "docker build of $image failed"
fi
[ "${st[0]}" = 0 ] || die "could not pack the build context"
t1=$(now)

# ---- 3. build Keel in a container ------------------------------------------------------
# Without .git in the container the Makefile cannot run git describe; pass the answer in.
gitdesc=$(git describe --always --dirty --tags 2>/dev/null || echo unknown)

cid=$(docker create -w /opt/keel "$image" bash -c '
  set -e
  # The image was just built from this tree'"'"'s installer and requirements, so its
  # dependencies are current: keep make from re-running the installer.
  touch .venv/.deps-ok
  exec make "$@"' make -j"$jobs" GITDESC="$gitdesc" "$@") || die "could not create a container from $image"
trap 'docker rm -f "$cid" >/dev/null 2>&1' EXIT

say "copying the source tree into the container ($gitdesc)"
copy_sources "$cid" || die "could not copy the source tree into the container"

say "make -j$jobs${*:+ $*} (in $image)"
if ! docker start -a "$cid"; then
  die "make failed inside $image (see the output above)"
fi

say "copying the results to $out/"
find "$out" -mindepth 1 -maxdepth 1 ! -name image.log -exec rm -rf {} +
docker cp "$cid:/opt/keel/build/." "$out/" || die "the build left no build/ directory in the container"
t2=$(now)

# ---- 4. check the artifacts ------------------------------------------------------------
bytes() { od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }
image_file=$out/os/Image
elf_file=$out/os/kernel.elf
[ -s "$image_file" ] || die "$image_file missing or empty after the build"
[ -s "$elf_file" ] || die "$elf_file missing or empty after the build"
# RISC-V Linux Image header: magic2 "RSC\x05" at offset 0x38 (what booti checks).
[ "$(bytes "$image_file" 56 4)" = 52534305 ] ||
  die "$image_file has no RISC-V Image header (magic \"RSC\\x05\" at 0x38)"
# ELF, 64-bit, little-endian, e_machine 0xf3 (RISC-V).
[ "$(bytes "$elf_file" 0 6)" = 7f454c460201 ] && [ "$(bytes "$elf_file" 18 2)" = f300 ] ||
  die "$elf_file is not a 64-bit little-endian RISC-V ELF file"

say "ok: $image_file ($(wc -c < "$image_file") bytes), $elf_file ($(wc -c < "$elf_file") bytes)"
say "time: base image $((tb - t0))s, build image $((t1 - tb))s, make $((t2 - t1))s, total $((t2 - t0))s"
