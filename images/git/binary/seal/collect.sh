#!/bin/bash
# Copy the installed Debian packages named in the config (and extra build-stage
# paths) into the prefix, mapping /usr/X and /X to P/X, without docs.
# Usage: collect.sh <seal.conf>
set -euo pipefail
. "$(dirname "$0")/lib.sh"
conf_load "$1"

for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
    die "package $pkg is not installed in the build stage"
  pkg_files "$pkg" | copy_paths
  note "collected package $pkg"
done

for path in "${PATHS[@]}"; do
  [ -e "$path" ] || [ -L "$path" ] || die "path $path does not exist in the build stage"
  if [ -d "$path" ] && [ ! -L "$path" ]; then
    find "$path" \( -type f -o -type l \) | copy_paths
  else
    printf '%s\n' "$path" | copy_paths
  fi
  note "collected path $path"
done
