#!/usr/bin/env bash
# Install everything Keel needs to build, boot and test, on Debian bookworm, as root.
# Idempotent: a second run with nothing missing changes nothing and takes seconds.
# Usage: ci/install-deps.sh [--no-venv]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

debs=(
  make gcc libc6-dev git cpio xxd file openssl patch xz-utils
  gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  qemu-system-misc opensbi u-boot-qemu device-tree-compiler gdb-multiarch
  ser2net microcom python3 python3-venv python3-dev
  debootstrap
  libxcrypt-source
  chromium chromium-driver postgresql
)

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian source packages for the ports (os/ports/<name>/): downloaded, not
# unpacked; each recipe checks its tarball against the .dsc's SHA-256 and
# applies Keel's own patches at build time.
src_pkgs=(mksh)
src_dir=/var/cache/keel/ports
src_list=/etc/apt/sources.list.d/keel-deb-src.sources
mkdir -p "$src_dir"
if [ ! -f "$src_list" ]; then
  printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm' \
    'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' > "$src_list"
  apt-get update -qq
fi
for p in "${src_pkgs[@]}"; do
  if ! ls "$src_dir/${p}"_*.dsc >/dev/null 2>&1; then
    echo "install-deps: downloading the source package $p"
    if ! (cd "$src_dir" && apt-get source --download-only -qq "$p" >"$src_dir/$p.log" 2>&1) ||
       ! ls "$src_dir/${p}"_*.dsc >/dev/null 2>&1; then
      cat "$src_dir/$p.log" >&2
      echo "install-deps: the source package $p did not download" >&2
      exit 1
    fi
  fi
done

# Source packages whose Debian packaging tarball the archive reachable here
# does not serve (404): only the .dsc and the upstream tarball(s), which is
# all a recipe uses.  apt names each file's URI with the SHA-256 from the
# archive's signed index and apt-helper refuses a file that does not match
# it; anything missing or different stops the install.
orig_pkgs=(toybox)
for p in "${orig_pkgs[@]}"; do
  ls "$src_dir/${p}"_*.dsc "$src_dir/${p}"_*.orig.tar.* >/dev/null 2>&1 && continue
  echo "install-deps: downloading the .dsc and upstream tarball of $p"
  tmp=$(mktemp -d)
  uris=$(cd "$tmp" && apt-get source --print-uris -qq "$p" | grep -E "\.dsc' |\.orig(-[^ ]*)?\.tar\.[a-z0-9]+' ") || true
  rmdir "$tmp"
  if ! grep -q "\.dsc' " <<<"$uris" || ! grep -q "\.orig" <<<"$uris"; then
    echo "install-deps: apt names no .dsc and upstream tarball for the source package $p" >&2
    exit 1
  fi
  while read -r uri file _size hash; do
    uri=${uri#\'}; uri=${uri%\'}
    if ! /usr/lib/apt/apt-helper -qq download-file "$uri" "$src_dir/$file.part" "$hash"; then
      rm -f "$src_dir/$file.part"
      echo "install-deps: $uri did not download with $hash" >&2
      exit 1
    fi
    mv "$src_dir/$file.part" "$src_dir/$file"
  done <<<"$uris"
done

[ "${1:-}" = "--no-venv" ] && exit 0

venv="$top/.venv"
req="$top/ci/requirements.txt"
stamp="$venv/.requirements.sha256"
want=$( (cat "$req"; [ -f "$top/farm/pyproject.toml" ] && cat "$top/farm/pyproject.toml") | sha256sum | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ]; then
  /usr/bin/python3 -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  if [ -f "$top/farm/pyproject.toml" ]; then
    "$venv/bin/pip" install -q --disable-pip-version-check --no-deps -e "$top/farm"
  fi
  echo "$want" > "$stamp"
fi
