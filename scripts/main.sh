#!/usr/bin/env bash
# The main job, on a fresh Debian machine as root: set everything up, build the binary distribution,
# verify it, create the volume containers and run the demo: provision a playbook into an image with no libc.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-node.sh
bash scripts/ensure-engine.sh

step() { printf '\n== %s\n' "$*" >&2; }
step "validate the manifests"
npx dappdeps validate
step "build order"
npx dappdeps plan
step "build the binary distribution (bootstraps debian:bookworm first when it is missing)"
npx dappdeps build
step "audit every image and run the smoke matrix (busybox without libc, empty scratch, debian:bookworm)"
npx dappdeps verify
step "volume containers"
npx dappdeps volumes
step "the demo: provision examples/website/site.yml into scratch + static busybox (no libc, no Python, no git); zero-residue proof"
npx dappdeps demo

step "what was built"
docker image ls --filter 'reference=dappdeps/*' --format 'table {{.Repository}}:{{.Tag}}\t{{.Size}}\t{{.CreatedSince}}'
echo "volume containers (mount with --volumes-from NAME:ro): $(docker ps -a --filter 'name=^dappdeps-' --format '{{.Names}}' | sort | tr '\n' ' ')"
echo "build logs: $(pwd)/.dappdeps/logs/"
