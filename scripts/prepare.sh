#!/usr/bin/env bash
# npm's prepare (npm ci, npm install, npm pack): compile dist/ from src/. `npm pack` from a clean clone runs it
# before anything is installed: then the locked dependencies (the compiler among them) are installed first,
# without their scripts (and without running this one again).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsc ]; then
  echo "prepare: installing the locked dependencies to compile (npm ci --ignore-scripts)" >&2
  npm ci --ignore-scripts --no-audit --no-fund >&2
fi
# A fresh dist/: nothing of an earlier build (a module since removed) is packed.
rm -rf dist
node_modules/.bin/tsc -p tsconfig.json
