#!/usr/bin/env bash
# Install the npm dependencies (exactly as locked) and compile the TypeScript when they are missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.dappdeps-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
npm run --silent build
