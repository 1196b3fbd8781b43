#!/usr/bin/env bash
# The main job: set up, validate the distribution, render its build contexts and show the build plan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-node.sh
npx dappdeps validate
npx dappdeps render
npx dappdeps plan
