import { createHmac } from 'node:crypto';
import { expect } from '../../support/expect.js';
import { engineConnection } from '../../../src/docker/engine-connection.js';
import { knownHostVerifier, knownKeys } from '../../../src/docker/known-hosts.js';
import { EngineError } from '../../../src/errors.js';

/** Files of a pretend home and certificate folder. */
function files(present: Record<string, string>) {
  return {
    read: (file: string) => {
      const text = present[file];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      return Buffer.from(text);
    },
    exists: (file: string) => file in present,
    home: '/home/me',
  };
}

describe('the engine connection', () => {
  it('is a Unix socket from --socket, a unix:// DOCKER_HOST, or the default', () => {
    expect(engineConnection('/s.sock', { env: { DOCKER_HOST: 'tcp://x:1' } }).address).to.equal('unix:///s.sock');
    const unix = engineConnection(undefined, { env: { DOCKER_HOST: 'unix:///run/e.sock' } });
    expect(unix.options).to.include({ socketPath: '/run/e.sock', protocol: 'http' });
    const none = engineConnection(undefined, { env: {}, exists: () => false });
    expect(none.address).to.equal('unix:///var/run/docker.sock');
  });

  it('is plain TCP without DOCKER_TLS_VERIFY, and TLS with the certificates of DOCKER_CERT_PATH with it', () => {
    const plain = engineConnection(undefined, { env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } });
    expect(plain.options).to.include({ host: '127.0.0.1', port: '2375', protocol: 'http', socketPath: undefined });
    const certs = files({ '/c/ca.pem': 'CA', '/c/cert.pem': 'CERT', '/c/key.pem': 'KEY' });
    const env = { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/c' };
    const tls = engineConnection(undefined, { env, ...certs });
    expect(tls.address).to.equal('tcp://127.0.0.1:2376');
    expect(tls.options.protocol).to.equal('https');
    expect(String(tls.options.ca)).to.equal('CA');
    expect(String(tls.options.cert)).to.equal('CERT');
    expect(String(tls.options.key)).to.equal('KEY');
    // Without DOCKER_CERT_PATH, ~/.docker as the docker CLI does.
    const home = files({
      '/home/me/.docker/ca.pem': 'A',
      '/home/me/.docker/cert.pem': 'B',
      '/home/me/.docker/key.pem': 'C',
    });
    const fromHome = engineConnection(undefined, {
      env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' },
      ...home,
    });
    expect(String(fromHome.options.ca)).to.equal('A');
  });

  it('refuses, in one line naming the file, a TLS setting whose certificate is missing', () => {
    const env = { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/c' };
    expect(() => engineConnection(undefined, { env, ...files({ '/c/ca.pem': 'CA' }) }))
      .to.throw(EngineError, 'DOCKER_TLS_VERIFY is set but /c/cert.pem cannot be read (DOCKER_CERT_PATH)')
      .with.property('hint')
      .that.matches(/ca.pem, cert.pem and key.pem/);
  });

  it('refuses an address it cannot use: another scheme, no port', () => {
    expect(() => engineConnection(undefined, { env: { DOCKER_HOST: 'http://x:1' } })).to.throw(
      EngineError,
      'DOCKER_HOST=http://x:1: unsupported scheme http:',
    );
    expect(() => engineConnection(undefined, { env: { DOCKER_HOST: 'tcp://x' } })).to.throw(EngineError, 'no port');
  });

  it('is SSH with the agent, or else the first default key, and the host checked against known_hosts', () => {
    const agent = engineConnection(undefined, {
      env: { DOCKER_HOST: 'ssh://builder@10.0.0.5:2222', SSH_AUTH_SOCK: '/agent.sock' },
      ...files({}),
    });
    expect(agent.options).to.include({ protocol: 'ssh', host: '10.0.0.5', port: '2222', username: 'builder' });
    expect(agent.options.sshOptions?.agent).to.equal('/agent.sock');
    expect(agent.options.sshOptions?.privateKey).to.equal(undefined);
    expect(agent.options.sshOptions?.hostVerifier).to.be.a('function');
    const key = engineConnection(undefined, {
      env: { DOCKER_HOST: 'ssh://builder@build' },
      ...files({ '/home/me/.ssh/id_ecdsa': 'ECDSA', '/home/me/.ssh/id_rsa': 'RSA' }),
    });
    expect(key.options.port).to.equal('22');
    expect(String(key.options.sshOptions?.privateKey)).to.equal('ECDSA');
    expect(() => engineConnection(undefined, { env: { DOCKER_HOST: 'ssh://b@h' }, ...files({}) })).to.throw(
      EngineError,
      /no SSH key/,
    );
  });
});

describe('known_hosts', () => {
  const key = Buffer.from('the host key blob');
  const b64 = key.toString('base64');
  const hashed = (name: string, salt = Buffer.from('0123456789abcdefghij')) =>
    `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;

  it('lists the keys of a host by its plain or hashed name, `[host]:port` off port 22', () => {
    const text = [
      '# a comment',
      `build,10.0.0.5 ssh-ed25519 ${b64}`,
      `${hashed('[127.0.0.1]:2222')} ssh-ed25519 OTHER`,
      `@revoked build ssh-ed25519 REVOKED`,
    ].join('\n');
    expect(knownKeys(text, 'build')).to.deep.equal([b64]);
    expect(knownKeys(text, '10.0.0.5')).to.deep.equal([b64]);
    expect(knownKeys(text, '[127.0.0.1]:2222')).to.deep.equal(['OTHER']);
    expect(knownKeys(text, '127.0.0.1')).to.deep.equal([]);
  });

  it('accepts only the listed key of that host and port; an unknown host or unreadable file is refused', () => {
    const text = `[127.0.0.1]:2222 ssh-ed25519 ${b64}\n`;
    expect(knownHostVerifier(() => text, '127.0.0.1', '2222')(key)).to.equal(true);
    expect(knownHostVerifier(() => text, '127.0.0.1', '22')(key)).to.equal(false);
    expect(knownHostVerifier(() => text, '127.0.0.1', '2222')(Buffer.from('another key'))).to.equal(false);
    const unreadable = () => {
      throw new Error('ENOENT');
    };
    expect(knownHostVerifier(unreadable, '127.0.0.1', '2222')(key)).to.equal(false);
  });
});
