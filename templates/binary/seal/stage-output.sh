#!/bin/bash
# Move the sealed prefix P to /dappdeps-out/P with every time in it (and of its parent folders) set to
# SOURCE_DATE_EPOCH, so the final stage's `COPY --from=build /dappdeps-out/ /` writes the same layer, byte for
# byte, from the same lock and base: docker's layer tar walks paths in order and keeps modes, owners and times.
# Usage: stage-output.sh <seal.conf>
set -euo pipefail
SEAL_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$SEAL_DIR/lib.sh"

main() {
  conf_load "$1"
  local out=/dappdeps-out
  [[ "${SOURCE_DATE_EPOCH:-}" =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH is not set"
  rm -rf "$out"
  mkdir -p "$out$(dirname "$P")"
  mv "$P" "$out$P"
  # -h: a symlink's own time, never its target's
  find "$out" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  note "staged $P in $out, times set to $SOURCE_DATE_EPOCH"
}

main "$@"
