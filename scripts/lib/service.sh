# shellcheck shell=bash
# Start and stop of a background service for the tests (sourced by test-registry.sh, test-engine.sh and
# podman-service.sh): each starts its own process and says how to ask it whether it answers.

# service_await PID LOG WHAT CHECK...: runs CHECK every 0.1 s (at most 30 s) until it succeeds. When PID exits
# first or time runs out: says that WHAT did not start, shows the end of LOG, stops PID and fails.
service_await() {
  local pid=$1 log=$2 what=$3
  shift 3
  for _ in $(seq 1 300); do
    if "$@"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$what did not start; the end of its log ($log):" >&2
  tail -n 20 "$log" >&2
  kill "$pid" 2>/dev/null || true
  return 1
}

# service_stop PIDFILE: stops the process it names (TERM, then KILL after 30 s) and waits until it has exited.
# No pid file: nothing to stop.
service_stop() {
  local pidfile=$1 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

# service_usage SCRIPT: the usage line, on stderr, exit 2.
service_usage() {
  echo "usage: $1 start|stop DIR" >&2
  exit 2
}
