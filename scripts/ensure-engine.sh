#!/usr/bin/env bash
# Make a Docker engine answer, installing and starting Debian's docker.io only when none does; with --arch, make
# it run another architecture's containers too.
# An engine that already answers (DOCKER_HOST or the default socket) is never restarted or reconfigured.
set -euo pipefail

log=${DAPPDEPS_DOCKERD_LOG:-/var/log/dappdeps-dockerd.log}
wait_s=${DAPPDEPS_DOCKERD_WAIT:-60}

say() { echo "dappdeps engine: $*" >&2; }
answers() { command -v docker >/dev/null 2>&1 && docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# --arch ARCH (repeatable; Debian names): also make this machine run ARCH's programs, in containers too, when its
# CPU is another: Debian's qemu-user-static registered with binfmt_misc (flag F: the interpreter is opened at
# registration, so containers need no copy of it), and apt told of ARCH (verify downloads its busybox-static).
arches=()
while [ $# -gt 0 ]; do
  case $1 in
    --arch) [ $# -ge 2 ] || { say "--arch needs an architecture"; exit 2; }; arches+=("$2"); shift 2 ;;
    *) say "unknown argument $1 (usage: ensure-engine.sh [--arch ARCH]...)"; exit 2 ;;
  esac
done

ensure_emulation() { # <debian arch>
  local arch=$1 qemu entry
  [ "$arch" = "$(dpkg --print-architecture)" ] && return 0
  case $arch in
    arm64) qemu=aarch64 ;;
    amd64) qemu=x86_64 ;;
    *) say "no emulation known for $arch"; return 1 ;;
  esac
  entry=/proc/sys/fs/binfmt_misc/qemu-$qemu
  if [ "$(id -u)" != 0 ]; then
    [ -e "$entry" ] || { say "$arch needs qemu-user-static registered, which needs root"; return 1; }
    return 0
  fi
  local need=()
  dpkg -s qemu-user-static >/dev/null 2>&1 || need+=(qemu-user-static)
  command -v update-binfmts >/dev/null 2>&1 || need+=(binfmt-support)
  if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]} with apt-get (to run $arch programs)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    say "mounting binfmt_misc"
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  [ -e "$entry" ] || update-binfmts --enable "qemu-$qemu"
  grep -q '^flags: .*F' "$entry" || { say "$entry has no F flag: containers could not use it"; return 1; }
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    say "adding $arch to apt's architectures"
    dpkg --add-architecture "$arch"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
  fi
  say "$arch programs run under $(sed -n 's/^interpreter //p' "$entry")"
}
for arch in "${arches[@]}"; do ensure_emulation "$arch"; done

if answers; then
  say "engine $(docker version --format '{{.Server.Version}}') answers"; exit 0
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  say "DOCKER_HOST=$DOCKER_HOST is set but no engine answers there; not starting one"; exit 1
fi
if [ "$(id -u)" != 0 ]; then
  say "no engine answers and starting one needs root (run as root, or set DOCKER_HOST)"; exit 1
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || { say "no engine, and no apt-get to install ${need[*]}"; exit 1; }
  say "installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # With their recommends, as verified here: debootstrap needs debian-archive-keyring to check the mirror's
  # signatures; docker.io brings cgroupfs-mount and apparmor for kernels that need them.
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# dockerd needs cgroups; a machine booted without an init system may not have mounted them.
if ! mountpoint -q /sys/fs/cgroup 2>/dev/null && command -v cgroupfs-mount >/dev/null 2>&1; then
  say "mounting cgroups (cgroupfs-mount)"
  cgroupfs-mount
fi
if ! pgrep -x dockerd >/dev/null 2>&1; then
  say "starting dockerd (log: $log)"
  # No bridge network on these machines: containers get loopback only; builds use host networking.
  nohup dockerd --bridge=none --iptables=false --ip-masq=false >"$log" 2>&1 &
fi
for _ in $(seq "$wait_s"); do
  if answers; then say "engine $(docker version --format '{{.Server.Version}}') answers"; exit 0; fi
  sleep 1
done
say "dockerd did not answer within ${wait_s}s; last lines of $log:"
tail -n 20 "$log" >&2 || true
exit 1
