import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { expect } from '../support/expect.js';
import { fixtureDistro } from '../support/fixture-distro.js';
import { realDistroDir, repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { captureOutput } from '../support/capture-output.js';
import { main } from '../../src/cli/main.js';
import { withEnv } from '../support/env.js';

const exec = promisify(execFile);
const script = path.join(repoRoot, 'scripts/test-remote-engine.sh');

/**
 * Every command that talks to an engine, against one reached the two ways remote engines are: TLS on 127.0.0.1
 * (dockerd --tlsverify with certificates the test makes with openssl) and SSH to 127.0.0.1 (Debian's sshd with a
 * key made by the test, `docker system dial-stdio` on the far side). A fixture distro is built there, its volume
 * containers made, a tool run, and a Debian image provisioned by the real distro's Ansible. The engine starts
 * empty; the images it needs are carried in with `save` and `load`.
 */
describe('remote engines over TLS and SSH', function () {
  this.timeout(1_800_000);
  let tmp: string;
  let unix: string;
  let tls: Record<string, string | undefined>;
  let ssh: Record<string, string | undefined>;

  before(async () => {
    await new Docker().ping(); // the engine that holds the real distro: none is a failure, never a skip
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-remote-'));
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'ansible');
    expect(built.code, built.text).to.equal(0);
    const bundle = path.join(tmp, 'ansible.tar');
    const saved = await runCli(realDistroDir, 'save', 'ansible', '--with-deps', '--out', bundle);
    expect(saved.code, saved.text).to.equal(0);
    const { stdout } = await exec('bash', [script, 'start', path.join(tmp, 'remote')]);
    const [unixHost, tcpHost, sshHost] = stdout.trim().split('\n');
    unix = unixHost ?? '';
    tls = {
      DOCKER_HOST: tcpHost,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: path.join(tmp, 'remote/certs'),
    };
    ssh = { DOCKER_HOST: sshHost, HOME: path.join(tmp, 'remote/home'), SSH_AUTH_SOCK: undefined };
    // The fixture's base image and the real distro's images, carried in through the engine's own socket.
    await withEnv({ DOCKER_HOST: unix }, async () => {
      const output = captureOutput();
      expect(await main(['load', bundle], output), output.stderr.join('\n')).to.equal(0);
    });
    const debian = path.join(tmp, 'debian.tar');
    await exec('/usr/bin/docker', ['save', '-o', debian, 'debian:bookworm']);
    await exec('/usr/bin/docker', ['load', '-q', '-i', debian], { env: { ...process.env, DOCKER_HOST: unix } });
  });

  after(async () => {
    if (!tmp) return;
    await exec('bash', [script, 'stop', path.join(tmp, 'remote')]).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  });

  /** A file on the engine's side, read through its own socket (not through the transport under test). */
  const readInImage = async (image: string, file: string) =>
    (
      await exec('/usr/bin/docker', ['run', '--rm', '--network', 'none', image, 'cat', file], {
        env: { PATH: process.env.PATH, DOCKER_HOST: unix },
      })
    ).stdout;

  for (const transport of ['TLS', 'SSH'] as const) {
    it(`builds, makes volumes, runs and provisions over ${transport}`, async () => {
      const env = transport === 'TLS' ? tls : ssh;
      const fixture = await fixtureDistro('orchestrator');
      try {
        await withEnv(env, async () => {
          const built = await runCli(fixture.dir, 'build', 'app', 'solo');
          expect(built.code, built.text).to.equal(0);
          expect(built.text).to.match(/app: built/);
          const volumes = await runCli(fixture.dir, 'volumes', 'app');
          expect(volumes.code, volumes.text).to.equal(0);
          expect(volumes.text).to.contain(`${fixture.volumePrefix}app: created`);
          // The tool exits with the code it is given: 7 can only come from it, run on the remote engine.
          const run = await runCli(fixture.dir, 'run', '--with', 'solo', '--', '/.dapp/deps/solo/1.0/bin/solo', '7');
          expect(run.code, run.text).to.equal(7);

          const playbook = path.join(fixture.tmp, 'play');
          await mkdir(playbook);
          await writeFile(path.join(playbook, 'greeting.txt'), `hello over ${transport}\n`);
          await writeFile(
            path.join(playbook, 'site.yml'),
            '- hosts: localhost\n  gather_facts: false\n  tasks:\n' +
              '    - copy: { src: greeting.txt, dest: /greeting, mode: "0644" }\n',
          );
          const tag = `${fixture.repository}/provisioned:1`;
          const provisioned = await runCli(
            realDistroDir,
            'provision',
            path.join(playbook, 'site.yml'),
            '--from',
            'debian:bookworm',
            '--tag',
            tag,
          );
          expect(provisioned.code, provisioned.text).to.equal(0);
          expect(await readInImage(tag, '/greeting')).to.equal(`hello over ${transport}\n`);
        });
      } finally {
        await rm(fixture.tmp, { recursive: true, force: true });
      }
    });
  }

  it('names the address tried and what to check when the engine cannot be reached', async () => {
    const port = /:(\d+)$/.exec(tls.DOCKER_HOST ?? '')?.[1] ?? '';
    const withoutTls = await withEnv({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: undefined }, () =>
      runCli(realDistroDir, 'volumes'),
    );
    expect(withoutTls.code).to.equal(1);
    expect(withoutTls.text).to.contain('hint: the engine wants TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH');
    const nobody = await withEnv({ ...tls, DOCKER_HOST: 'tcp://127.0.0.1:1' }, () => runCli(realDistroDir, 'volumes'));
    expect(nobody.code).to.equal(1);
    expect(nobody.text).to.contain('no Docker engine answers at DOCKER_HOST=tcp://127.0.0.1:1 (ECONNREFUSED)');
    expect(nobody.text).to.contain('hint: check DOCKER_HOST');
    const stranger = await withEnv({ ...ssh, HOME: tmp }, () => runCli(realDistroDir, 'volumes'));
    expect(stranger.code).to.equal(1);
    expect(stranger.text).to.contain('no SSH key');
  });
});
