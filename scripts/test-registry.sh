#!/usr/bin/env bash
# A throwaway registry for the tests: Debian's docker-registry (distribution 2.8) on 127.0.0.1 with its
# storage in DIR. Docker treats loopback registries as insecure (plain http) by default.
#   test-registry.sh start DIR   prints HOST:PORT once the registry answers; its pid goes to DIR/pid
#   test-registry.sh stop DIR    stops it (DIR itself is the caller's to remove)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/service.sh
. "$(dirname "$0")/lib/service.sh"
cmd=${1:?usage: test-registry.sh start|stop DIR}
dir=${2:?usage: test-registry.sh start|stop DIR}
command -v docker-registry >/dev/null || { echo "docker-registry is missing: apt-get install docker-registry" >&2; exit 1; }
case "$cmd" in
start)
  mkdir -p "$dir/storage"
  # A free port chosen by the kernel; the short race until the registry binds it is acceptable in tests.
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  cat >"$dir/config.yml" <<YAML
version: 0.1
log: { level: warn, accesslog: { disabled: true } }
storage:
  filesystem: { rootdirectory: $dir/storage }
  delete: { enabled: true }
http: { addr: 127.0.0.1:$port }
YAML
  docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  echo $! >"$dir/pid"
  answers() { curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; }
  service_await "$(cat "$dir/pid")" "$dir/registry.log" "the registry" answers
  echo "127.0.0.1:$port"
  ;;
stop) service_stop "$dir/pid" ;;
*) service_usage test-registry.sh ;;
esac
