#!/usr/bin/env bash
# A throwaway engine reached the two ways remote engines are: TLS on 127.0.0.1 (dockerd --tlsverify, with a CA,
# server and client certificates made here by openssl) and SSH to 127.0.0.1 (Debian's sshd on a loopback port, a
# key made here; the session's `docker system dial-stdio` reaches the engine's socket). Needs root.
#   test-remote-engine.sh start DIR   prints three lines once both answer: the unix:// DOCKER_HOST (to seed and
#                                     clean up), the tcp:// one (certificates in DIR/certs: DOCKER_CERT_PATH) and
#                                     the ssh:// one (key and known_hosts in DIR/home/.ssh: use DIR/home as HOME)
#   test-remote-engine.sh stop DIR    stops sshd and the engine (DIR is the caller's to remove)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/service.sh
. "$(dirname "$0")/lib/service.sh"
here=$(dirname "$0")
cmd=${1:?usage: test-remote-engine.sh start|stop DIR}
dir=${2:?usage: test-remote-engine.sh start|stop DIR}
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# certificates DIR: a CA, the engine's certificate for 127.0.0.1 and a client certificate, as `docker --tlsverify`
# expects them (ca.pem, cert.pem, key.pem for the client; server-*.pem for dockerd).
certificates() {
  local c=$1
  mkdir -p "$c"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=dappdeps-test-ca -keyout "$c/ca-key.pem" -out "$c/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$c/server-key.pem" -out "$c/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$c/server.ext"
  openssl x509 -req -days 2 -in "$c/server.csr" -CA "$c/ca.pem" -CAkey "$c/ca-key.pem" -CAcreateserial \
    -extfile "$c/server.ext" -out "$c/server-cert.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=dappdeps-test-client -keyout "$c/key.pem" -out "$c/client.csr" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' >"$c/client.ext"
  openssl x509 -req -days 2 -in "$c/client.csr" -CA "$c/ca.pem" -CAkey "$c/ca-key.pem" -CAcreateserial \
    -extfile "$c/client.ext" -out "$c/cert.pem" 2>/dev/null
}

# sshd DIR PORT SOCKET: sshd on 127.0.0.1:PORT for root with the key made here, its sessions pointed at SOCKET.
sshd_start() {
  local d=$1 port=$2 socket=$3
  mkdir -p "$d/sshd" "$d/home/.ssh" /run/sshd
  chmod 700 "$d/home/.ssh"
  ssh-keygen -q -t ed25519 -N '' -f "$d/sshd/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$d/home/.ssh/id_ed25519"
  cp "$d/home/.ssh/id_ed25519.pub" "$d/sshd/authorized_keys"
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$d/sshd/host_key.pub")" >"$d/home/.ssh/known_hosts"
  cat >"$d/sshd/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $d/sshd/host_key
PidFile $d/sshd/pid
AuthorizedKeysFile $d/sshd/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
SetEnv DOCKER_HOST=unix://$socket
CONF
  /usr/sbin/sshd -D -e -f "$d/sshd/sshd_config" >"$d/sshd/log" 2>&1 &
  echo $! >"$d/sshd/pid"
  answers() { ssh-keyscan -p "$port" 127.0.0.1 >/dev/null 2>&1; }
  service_await "$(cat "$d/sshd/pid")" "$d/sshd/log" "sshd" answers
}

case "$cmd" in
start)
  command -v openssl >/dev/null || { echo "openssl is missing: apt-get install openssl" >&2; exit 1; }
  [ -x /usr/sbin/sshd ] || { echo "sshd is missing: apt-get install openssh-server" >&2; exit 1; }
  certificates "$dir/certs"
  tls=$(free_port)
  unix=$(bash "$here/test-engine.sh" start "$dir/engine" -H "tcp://127.0.0.1:$tls" --tlsverify \
    --tlscacert "$dir/certs/ca.pem" --tlscert "$dir/certs/server-cert.pem" --tlskey "$dir/certs/server-key.pem")
  ssh=$(free_port)
  sshd_start "$dir" "$ssh" "$dir/engine/docker.sock"
  echo "$unix"
  echo "tcp://127.0.0.1:$tls"
  echo "ssh://root@127.0.0.1:$ssh"
  ;;
stop)
  service_stop "$dir/sshd/pid"
  bash "$here/test-engine.sh" stop "$dir/engine"
  ;;
*) service_usage test-remote-engine.sh ;;
esac
