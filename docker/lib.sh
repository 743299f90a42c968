# Shell functions the docker/ scripts share (sourced, from the top of the tree).

# list_sources: the tree as git sees it, NUL-separated (tracked + untracked, minus
# ignored: no build/, no .venv, no .git); a plain find when this is not a git checkout.
list_sources() {
  if command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # .venv and build are never sources, even where git does not ignore them (a .venv
    # that is a symbolic link to another checkout's escapes an ignore rule for a
    # directory, and copied in it would stand where the image's own venv is)
    git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do
        case $f in .venv | .venv/* | build | build/*) continue ;; esac
        if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi   # skip deleted files
      done
  else
    find . -mindepth 1 \( -path ./build -o -path ./.venv -o -path ./.git \) -prune \
         -o ! -type d -printf '%P\0'
  fi
}

# copy_sources CONTAINER: the tree into CONTAINER's /opt/keel
copy_sources() {
  list_sources | tar -c --owner=0 --group=0 --numeric-owner --null -T - | docker cp - "$1:/opt/keel"
}
