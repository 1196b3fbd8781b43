import { createHmac } from 'node:crypto';

/** The names ssh writes for a host in known_hosts: `host` on port 22, else `[host]:port`. */
export function knownHostName(host: string, port: string): string {
  return port === '22' ? host : `[${host}]:${port}`;
}

/** Whether one comma-separated host field of known_hosts names `name`: plain, or hashed (`|1|salt|hmac`). */
function fieldNames(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  return field.split(',').includes(name);
}

/**
 * The keys (base64 blobs) known_hosts lists for `name`. Markers (`@revoked`, `@cert-authority`) and wildcard
 * patterns are not followed: such a host is unknown here, refused, never accepted by mistake.
 */
export function knownKeys(text: string, name: string): string[] {
  const keys: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]?.startsWith('#') || fields[0]?.startsWith('@')) continue;
    const [hosts, , key] = fields;
    if (hosts !== undefined && key !== undefined && fieldNames(hosts, name)) keys.push(key);
  }
  return keys;
}

/**
 * ssh2's host verifier: accepts the engine host's key only when known_hosts lists it for that host, as ssh with
 * StrictHostKeyChecking does (a docker CLI over ssh would refuse an unknown host too). An unreadable known_hosts
 * knows no host.
 */
export function knownHostVerifier(readKnownHosts: () => string, host: string, port: string): (key: Buffer) => boolean {
  return (key) => {
    let text: string;
    try {
      text = readKnownHosts();
    } catch {
      return false;
    }
    return knownKeys(text, knownHostName(host, port)).includes(key.toString('base64'));
  };
}
