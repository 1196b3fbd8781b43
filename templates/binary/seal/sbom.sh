#!/bin/bash
# Write the prefix's SPDX 2.3 document (JSON) to P/share/dappdeps/sbom.spdx.json: every Debian package with
# files in P (version, architecture, purl, the .deb's locked sha256, the license declared in its machine-readable
# copyright file), the launchers, and every file no package owns. Runs in the build stage after seal.sh, where
# dpkg's records are.
# Usage: sbom.sh <seal.conf> <apt.lock> <image name> <image version> <namespace base URL>
set -euo pipefail
SEAL_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SEAL_DIR/lib.sh"

main() {
  conf_load "$1"
  local lock=$2 name=$3 version=$4 base=$5 work out created launcher ns
  [[ "$name" =~ ^[a-z][a-z0-9-]*$ && "$version" =~ ^[A-Za-z0-9._-]+$ && "$base" =~ ^https?://[A-Za-z0-9./_~+%=:-]+$ ]] ||
    die "sbom: bad name, version or namespace"
  work=$(mktemp -d)
  out="$P/share/dappdeps/sbom.spdx.json"
  mkdir -p "$(dirname "$out")"
  rm -f "$out"
  created=$(date -u -d "@${SOURCE_DATE_EPOCH:-0}" +%Y-%m-%dT%H:%M:%SZ)

  # dpkg's records: package, version, architecture; and each package's paths mapped into P.
  dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n' |
    awk -F'\t' '$1 ~ /^.i/ {print $2 "\t" $3 "\t" $4}' | sort >"$work/packages"
  # (dpkg's own file lists, read in one pass; mapped into P as map_rel_to does; folders, which many packages
  # list, own nothing)
  awk '/^\// {
      pkg = FILENAME; sub(/.*\//, "", pkg); sub(/\.list$/, "", pkg); sub(/:.*/, "", pkg)
      p = $0; sub(/^\//, "", p); sub(/^usr\//, "", p); print p "\t" pkg "\t" $0
    }' /var/lib/dpkg/info/*.list |
    while IFS=$'\t' read -r rel pkg abs; do
      if [ ! -d "$abs" ] || [ -L "$abs" ]; then printf '%s\t%s\n' "$rel" "$pkg"; fi
    done | sort -t $'\t' -k1,1 -u >"$work/owners"
  # What P holds (regular files and symlinks), relative to P.
  find "$P" \( -type f -o -type l \) ! -path "$out" -printf '%P\t%y\n' | sort >"$work/files"
  for launcher in "${LAUNCHERS[@]}"; do printf '%s\n' "$launcher"; done | sort -u >"$work/launchers"
  # Checksums of the regular files no package lists (the join below picks them).
  (cd "$P" && awk -F'\t' '$2 == "f" {print $1}' "$work/files" | tr '\n' '\0' | xargs -0 -r sha1sum) |
    sed 's/^\([0-9a-f]*\) [ *]/\1\t/' | sort -t $'\t' -k2,2 >"$work/sha1"
  # Licenses: one "package<TAB>License value" line per Files paragraph of a machine-readable copyright file.
  local copyrights=() pkg
  while IFS=$'\t' read -r pkg _; do
    if [ -r "/usr/share/doc/$pkg/copyright" ]; then copyrights+=("/usr/share/doc/$pkg/copyright"); fi
  done <"$work/packages"
  awk 'FNR == 1 {
      pkg = FILENAME; sub(/^\/usr\/share\/doc\//, "", pkg); sub(/\/copyright$/, "", pkg); files = 0
      dep5 = ($0 ~ /^Format: *https?:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0/)
    }
    !dep5 { next }
    /^Files:/ { files = 1 }
    /^License:/ { if (files) { v = $0; sub(/^License:[ \t]*/, "", v); print pkg "\t" v } }
    /^[ \t]*$/ { files = 0 }' "${copyrights[@]}" /dev/null >"$work/licenses"

  # The namespace is unique to this content: the same lock and files give the same document.
  ns=$(cat "$lock" "$work/files" "$work/sha1" | sha256sum | cut -c1-64)
  awk -F'\t' -v name="$name" -v version="$version" -v prefix="$P" -v base="$base" -v ns="$ns" -v created="$created" \
    -v lock="$lock" -v work="$work" -f "$SEAL_DIR/sbom.awk" >"$out"
  rm -rf "$work"
  note "sbom: $out"
}

main "$@"
