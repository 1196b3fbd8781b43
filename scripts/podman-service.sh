#!/usr/bin/env bash
# Podman's Docker-compatible API service for the tests: Debian's podman (installed when missing, as root), its
# storage, run state and socket all under DIR, so it shares nothing with another Podman on the machine.
#   podman-service.sh start DIR   prints the DOCKER_HOST (unix://DIR/podman.sock) once the service answers
#   podman-service.sh stop DIR    stops it and lets go of DIR; its images stay there for the next start
#                                 (rm -rf DIR forgets them)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/service.sh
. "$(dirname "$0")/lib/service.sh"
cmd=${1:?usage: podman-service.sh start|stop DIR}
dir=${2:?usage: podman-service.sh start|stop DIR}
say() { echo "dappdeps podman: $*" >&2; }
sock=$dir/podman.sock
pidfile=$dir/service.pid
answers() { curl -fsS --unix-socket "$sock" http://podman/_ping >/dev/null 2>&1; }

case "$cmd" in
start)
  if ! command -v podman >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || { say "podman is missing; installing it needs root"; exit 1; }
    say "installing podman with apt-get"
    # Without recommends: buildah, fuse-overlayfs and slirp4netns serve rootless use, not this root service.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman >/dev/null
  fi
  command -v curl >/dev/null 2>&1 || { say "curl is missing: apt-get install curl"; exit 1; }
  if answers; then echo "unix://$sock"; exit 0; fi
  mkdir -p "$dir/storage" "$dir/run" "$dir/tmp"
  # What works on these machines: no container starts with Podman's default ulimits (the host lacks
  # CAP_SYS_RESOURCE); there is no bridge (no netavark or CNI plugins), so containers default to the host's
  # network namespace unless a call says `none`; no systemd, so cgroupfs and a file for events. Locks are
  # files in DIR rather than the machine-wide shared-memory segment another Podman would use too.
  cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
netns = "host"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/tmp/events.log"
tmp_dir = "$dir/tmp"
lock_type = "file"
CONF
  CONTAINERS_CONF=$dir/containers.conf nohup podman --root "$dir/storage" --runroot "$dir/run" \
    system service --time=0 "unix://$sock" >"$dir/service.log" 2>&1 &
  echo $! >"$pidfile"
  service_await "$(cat "$pidfile")" "$dir/service.log" "podman's API service at $sock" answers
  echo "unix://$sock"
  ;;
stop)
  [ -f "$pidfile" ] || exit 0
  service_stop "$pidfile"
  rm -f "$pidfile" "$sock"
  # Podman's overlay driver bind-mounts its own folder and leaves it mounted: let go of DIR.
  if mountpoint -q "$dir/storage/overlay"; then umount "$dir/storage/overlay" || true; fi
  ;;
*) service_usage podman-service.sh ;;
esac
