#!/usr/bin/env bash
# A throwaway registry for the tests: Debian's docker-registry (distribution 2.8) on 127.0.0.1 with its
# storage in DIR. Docker treats loopback registries as insecure (plain http) by default.
#   test-registry.sh start DIR   prints HOST:PORT once the registry answers; its pid goes to DIR/pid
#   test-registry.sh stop DIR    stops it (DIR itself is the caller's to remove)
set -euo pipefail
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
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then echo "127.0.0.1:$port"; exit 0; fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "the registry did not start; its log:" >&2
  cat "$dir/registry.log" >&2
  kill "$(cat "$dir/pid")" 2>/dev/null || true
  exit 1
  ;;
stop)
  [ -f "$dir/pid" ] || exit 0
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  ;;
*) echo "usage: test-registry.sh start|stop DIR" >&2; exit 2 ;;
esac
