#!/usr/bin/env bash
# The test command: sets up everything the tests need on a fresh Debian machine (as root), then runs
# the type check, the unit tests and the integration tests against a real Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v ruby >/dev/null 2>&1; then
  # `ruby -c` checks every rendered Omnibus recipe.
  [ "$(id -u)" = 0 ] || { echo "ruby is missing and installing it needs root" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ruby >/dev/null
fi
bash scripts/setup-node.sh
bash scripts/ensure-engine.sh

npm run --silent typecheck
npx mocha 'test/unit/**/*.test.ts'
if compgen -G 'test/integration/*.test.ts' >/dev/null; then
  npx mocha --timeout 1800000 'test/integration/**/*.test.ts'
fi
