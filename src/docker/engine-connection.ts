import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { EngineError } from '../errors.js';
import { defaultSocket } from './engine-socket.js';
import { knownHostVerifier } from './known-hosts.js';

/** How to reach the engine: dockerode's options, and the address messages name. */
export interface EngineConnection {
  address: string;
  options: Docker.DockerOptions;
}

/** Where the connection's settings come from (seams for tests): the environment, the home folder, files. */
export interface ConnectionSource {
  env?: NodeJS.ProcessEnv;
  home?: string;
  read?: (file: string) => Buffer;
  exists?: (file: string) => boolean;
}

const DOCKER_HOST_HINT =
  'DOCKER_HOST is unix:///PATH, tcp://HOST:PORT (TLS with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH) or ssh://USER@HOST[:PORT]';

/**
 * The engine at `socketPath`, else at DOCKER_HOST, else at the default socket. Resolved here rather than by
 * docker-modem so that every setting is checked up front: a missing certificate or an unknown scheme is one
 * EngineError naming the variable, not a stack trace from the first call. Follows the docker CLI: TLS when
 * DOCKER_TLS_VERIFY is set (certificates from DOCKER_CERT_PATH, else ~/.docker), SSH keys from the agent or
 * ~/.ssh, and the SSH host key checked against ~/.ssh/known_hosts.
 */
export function engineConnection(socketPath?: string, source: ConnectionSource = {}): EngineConnection {
  const env = source.env ?? process.env;
  const host = env.DOCKER_HOST;
  // docker-modem merges our options over those it derives from DOCKER_HOST: every field it sets is given here.
  const unix = (file: string): EngineConnection => ({
    address: `unix://${file}`,
    options: { socketPath: file, host: undefined, protocol: 'http' },
  });
  if (socketPath !== undefined) return unix(socketPath);
  if (!host) return unix(defaultSocket(env, source.exists));
  if (host.startsWith('unix://')) return unix(host.slice('unix://'.length) || defaultSocket(env, source.exists));
  const url = parseHost(host);
  if (url.protocol === 'ssh:') return sshConnection(host, url, env, source);
  if (url.protocol !== 'tcp:')
    throw new EngineError(`DOCKER_HOST=${host}: unsupported scheme ${url.protocol}`, { hint: DOCKER_HOST_HINT });
  if (!url.port) throw new EngineError(`DOCKER_HOST=${host}: no port`, { hint: DOCKER_HOST_HINT });
  const base = { host: url.hostname, port: url.port, socketPath: undefined };
  if (!env.DOCKER_TLS_VERIFY) return { address: host, options: { ...base, protocol: 'http' } };
  return { address: host, options: { ...base, protocol: 'https', ...tlsFiles(env, source) } };
}

function parseHost(host: string): URL {
  try {
    return new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    throw new EngineError(`DOCKER_HOST=${host} is not an address`, { hint: DOCKER_HOST_HINT });
  }
}

/** The CA that signed the engine's certificate, and the client's certificate and key, as `docker --tlsverify`. */
function tlsFiles(env: NodeJS.ProcessEnv, source: ConnectionSource): { ca: Buffer; cert: Buffer; key: Buffer } {
  const dir = env.DOCKER_CERT_PATH || path.join(source.home ?? os.homedir(), '.docker');
  const from = env.DOCKER_CERT_PATH ? 'DOCKER_CERT_PATH' : 'the default certificate folder';
  const read = source.read ?? readFileSync;
  const file = (name: string): Buffer => {
    const where = path.join(dir, name);
    try {
      return read(where);
    } catch (error) {
      throw new EngineError(`DOCKER_TLS_VERIFY is set but ${where} cannot be read (${from})`, {
        cause: error,
        hint: 'DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem, as for `docker --tlsverify`',
      });
    }
  };
  return { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') };
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function sshConnection(host: string, url: URL, env: NodeJS.ProcessEnv, source: ConnectionSource): EngineConnection {
  const home = source.home ?? os.homedir();
  const read = source.read ?? readFileSync;
  const username = decodeURIComponent(url.username) || os.userInfo().username;
  const port = url.port || '22';
  // The agent when there is one (as ssh does), else the first default key in ~/.ssh.
  const keyFile = env.SSH_AUTH_SOCK
    ? undefined
    : DEFAULT_KEYS.map((k) => path.join(home, '.ssh', k)).find(source.exists ?? existsSync);
  if (!env.SSH_AUTH_SOCK && keyFile === undefined)
    throw new EngineError(
      `DOCKER_HOST=${host}: no SSH key (no SSH_AUTH_SOCK agent, no ~/.ssh/id_ed25519, id_ecdsa or id_rsa)`,
      {
        hint: 'start ssh-agent and ssh-add your key, or create one with ssh-keygen',
      },
    );
  const knownHosts = path.join(home, '.ssh', 'known_hosts');
  return {
    address: host,
    options: {
      protocol: 'ssh',
      host: url.hostname,
      port,
      username,
      socketPath: undefined,
      sshOptions: {
        ...(env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {}),
        ...(keyFile ? { privateKey: read(keyFile) } : {}),
        hostVerifier: knownHostVerifier(() => read(knownHosts).toString('utf8'), url.hostname, port),
      },
    },
  };
}
