#!/bin/bash
# Copy the installed Debian packages named in the config (and extra build-stage
# paths) into the prefix, mapping /usr/X and /X to P/X, without docs.
# Usage: collect.sh <seal.conf>
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

collect_package() {
  dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q 'install ok installed' ||
    die "package $1 is not installed in the build stage"
  pkg_files "$1" | copy_paths
  note "collected package $1"
}

collect_path() {
  [ -e "$1" ] || [ -L "$1" ] || die "path $1 does not exist in the build stage"
  if [ -d "$1" ] && [ ! -L "$1" ]; then
    find "$1" \( -type f -o -type l \) | copy_paths
  else
    printf '%s\n' "$1" | copy_paths
  fi
  note "collected path $1"
}

main() {
  local pkg path
  conf_load "$1"
  for pkg in "${PACKAGES[@]}"; do collect_package "$pkg"; done
  for path in "${PATHS[@]}"; do collect_path "$path"; done
}

main "$@"
