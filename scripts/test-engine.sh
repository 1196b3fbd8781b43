#!/usr/bin/env bash
# A throwaway Docker engine for the tests: a second dockerd with its data, state and socket in DIR, holding no
# images, like the air-gapped machine a saved bundle is carried to. Needs root, as the main engine does.
#   test-engine.sh start DIR [ARG...]  prints its DOCKER_HOST (unix://DIR/docker.sock) once it answers; pid in
#                                      DIR/pid; ARGs go to dockerd (another listener, TLS: test-remote-engine.sh)
#   test-engine.sh stop DIR    stops it and waits until it has let go of DIR (DIR is the caller's to remove)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/service.sh
. "$(dirname "$0")/lib/service.sh"
cmd=${1:?usage: test-engine.sh start|stop DIR}
dir=${2:?usage: test-engine.sh start|stop DIR}
command -v dockerd >/dev/null || { echo "dockerd is missing: bash scripts/ensure-engine.sh installs it" >&2; exit 1; }
host="unix://$dir/docker.sock"
answers() { DOCKER_HOST=$host /usr/bin/docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
case "$cmd" in
start)
  mkdir -p "$dir/data" "$dir/exec"
  # Like the main engine: no bridge, so containers get loopback only.
  dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/pid" -H "$host" \
    --bridge=none --iptables=false --ip-masq=false "${@:3}" >"$dir/dockerd.log" 2>&1 &
  service_await $! "$dir/dockerd.log" "the throwaway engine" answers
  echo "$host"
  ;;
stop)
  # dockerd unmounts its layers and stops its containerd before it exits; only then may DIR be removed.
  service_stop "$dir/pid"
  # What dockerd leaves mounted under DIR (its default network namespace): unmounted, so DIR can be removed.
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
  ;;
*) service_usage test-engine.sh ;;
esac
