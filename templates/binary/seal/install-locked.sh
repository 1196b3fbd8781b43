#!/bin/bash
# Install exactly the packages of the lock into the build stage, and prove it:
#   1. every locked version is on the mirror with the locked sha256 (or already installed at that version);
#   2. the .debs apt downloads have the locked sha256;
#   3. afterwards the stage holds exactly the locked packages at the locked versions, nothing else.
# Usage: install-locked.sh <apt.lock> (lines "name version architecture sha256|-", written by dappdeps render)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
die() { printf 'dappdeps-install: error: %s\n' "$*" >&2; exit 1; }

declare -A version=() sha=()
pins=()
while read -r name ver arch sum rest; do
  case "$name" in ''|'#'*) continue ;; esac
  # The same patterns as the lock's schema: nothing here can become a shell word or an option.
  [[ "$name" =~ ^[a-z0-9][a-z0-9+.-]+$ && "$ver" =~ ^([0-9]+:)?[0-9][A-Za-z0-9.+~-]*$ &&
    "$arch" =~ ^[a-z0-9-]+$ && "$sum" =~ ^([0-9a-f]{64}|-)$ && -z "$rest" ]] || die "bad lock line: $name $ver"
  version[$name]=$ver
  sha[$name]=$sum
  pins+=("$name=$ver")
done <"$1"
[ "${#pins[@]}" -gt 0 ] || die "$1 locks no package"

apt-get update -qq >/dev/null
# 1. The mirror's index, before anything is downloaded.
declare -A listed=()
while read -r name ver sum; do
  [ "$ver" = "${version[$name]:-}" ] && listed[$name]=$sum
done < <(apt-cache show --no-all-versions "${pins[@]}" |
  awk '/^Package:/ {p=$2} /^Version:/ {v=$2} /^SHA256:/ {s=$2} /^$/ {if (p) print p, v, s; p=""; s=""} END {if (p) print p, v, s}')
declare -A installed=()
while IFS=' ' read -r name ver; do installed[$name]=$ver; done < <(
  dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version}\n' | awk '$1 ~ /^.i/ {print $2, $3}'
)
for name in "${!version[@]}"; do
  [ "${installed[$name]:-}" = "${version[$name]}" ] && continue
  [ -n "${listed[$name]:-}" ] || die "the mirror has no $name ${version[$name]}: run \`dappdeps lock\`"
  [ "${listed[$name]}" = "${sha[$name]}" ] || die "$name ${version[$name]}: the mirror's sha256 ${listed[$name]} is not the locked ${sha[$name]}"
done

# 2. Download, check every .deb against the lock, then install from what was checked.
apt-get install -y -qq --download-only --no-install-recommends --allow-downgrades "${pins[@]}" >/dev/null
shopt -s nullglob
debs=(/var/cache/apt/archives/*.deb)
while read -r sum deb; do
  base=${deb##*/}
  name=${base%%_*} # apt names downloads <package>_<version>_<arch>.deb
  [ -n "${sha[$name]:-}" ] || die "apt downloaded $name, which the lock does not list"
  [ "$sum" = "${sha[$name]}" ] || die "$deb: sha256 $sum is not the locked ${sha[$name]}"
done < <([ "${#debs[@]}" -eq 0 ] || sha256sum "${debs[@]}")
apt-get install -y -qq --no-download --no-install-recommends --allow-downgrades "${pins[@]}" >/dev/null

# 3. Exactly the lock, nothing more.
while IFS=' ' read -r name ver; do
  [ "${version[$name]:-}" = "$ver" ] || die "the stage has $name $ver, the lock says ${version[$name]:-nothing}"
  unset "version[$name]"
done < <(dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version}\n' | awk '$1 ~ /^.i/ {print $2, $3}')
[ "${#version[@]}" -eq 0 ] || die "locked but not installed: ${!version[*]}"
apt-get clean
rm -rf /var/lib/apt/lists/*
printf 'dappdeps-install: %d packages installed and checked against the lock\n' "${#pins[@]}" >&2
