#!/usr/bin/env bash
# The test command: sets up everything the tests need on a fresh Debian machine (as root), then runs
# the type check, the unit tests and the integration tests against a real Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: ruby (`ruby -c` on rendered Omnibus recipes), arch-test (real ELF files
# of every architecture for the ELF reader), binutils and gcc (readelf, and real programs for the audit),
# docker-registry and curl (a real registry for push/pull, scripts/test-registry.sh), skopeo (reads OCI
# exports), e2fsprogs (mkfs.ext4 -d, e2fsck, debugfs for ext4 exports), the shell scripts' linter, shellcheck,
# and podman (a subset of the integration tests runs on Podman too: test/support/podman-service.ts starts and
# stops its API service with scripts/podman-service.sh), and openssl and openssh-server (an engine reached over TLS
# and over SSH: scripts/test-remote-engine.sh).
need=()
command -v ruby >/dev/null 2>&1 || need+=(ruby)
[ -d /usr/lib/arch-test ] || need+=(arch-test)
command -v readelf >/dev/null 2>&1 || need+=(binutils)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v debugfs >/dev/null 2>&1 || need+=(e2fsprogs)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "missing ${need[*]}; installing them needs root" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
bash scripts/setup-node.sh
bash scripts/ensure-engine.sh --arch arm64

npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
npm run --silent depcheck
npm run --silent shellcheck

# Both suites run even when the first fails; the closing line adds them up for CI.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
npm run --silent test:unit 2>&1 | tee -a "$log" || status=1
npm run --silent test:integration 2>&1 | tee -a "$log" || status=1
count() { grep -Eo "^ +[0-9]+ $1" "$log" | awk '{ n += $1 } END { print n + 0 }'; }
echo "tests: $(count passing) passed, $(count failing) failed"
exit "$status"
