#!/bin/bash
# Copy the installed Debian packages named in the config (and extra build-stage
# paths) into the prefix, mapping /usr/X and /X to P/X, without docs.
# Usage: collect.sh <seal.conf>
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# Every file of the config's packages and paths, copied in one tar stream.
main() {
  local pkg path status
  local -A installed=()
  conf_load "$1"
  while IFS=$'\t' read -r pkg status; do
    [[ "$status" == ii* ]] && installed[$pkg]=1
  done < <(dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)
  for pkg in "${PACKAGES[@]}"; do
    [ -n "${installed[$pkg]:-}" ] || die "package $pkg is not installed in the build stage"
  done
  for path in "${PATHS[@]}"; do
    [ -e "$path" ] || [ -L "$path" ] || die "path $path does not exist in the build stage"
  done
  {
    [ "${#PACKAGES[@]}" -eq 0 ] || pkg_files "${PACKAGES[@]}"
    for path in "${PATHS[@]}"; do
      if [ -d "$path" ] && [ ! -L "$path" ]; then find "$path" \( -type f -o -type l \); else printf '%s\n' "$path"; fi
    done
  } | copy_paths
  note "collected ${#PACKAGES[@]} packages and ${#PATHS[@]} paths"
}

main "$@"
