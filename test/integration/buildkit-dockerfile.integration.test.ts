import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { createDockerClient, type DockerClient } from '../../src/docker/docker-client.js';
import { BuildError } from '../../src/errors.js';
import { contextTar } from '../../src/orchestrator/context-tar.js';
import { loadDistro } from '../../src/manifest/load-distro.js';
import { ensureSmokeTargets } from '../../src/verify/smoke-targets.js';
import { expect } from '../support/expect.js';
import { realDistroDir } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

const ANSIBLE_PLAYBOOK = '/.dapp/deps/ansible/2.14.18-1/bin/ansible-playbook';

/** A user's Dockerfile: a command run from the mounted prefixes while building an image without Python. */
const dockerfile = (mounts: string, command: string[]) => `FROM dappdeps/target-busybox:1
COPY site.yml /provision/playbook.yml
RUN ${mounts} ${JSON.stringify(command)}
`;

const PLAY = [ANSIBLE_PLAYBOOK, '-i', 'localhost,', '-c', 'local', '/provision/playbook.yml'];

const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - file: { path: /srv/site, state: directory, mode: "0755" }
    - copy: { dest: /srv/site/index.html, content: "built by ansible under buildkit\\n" }
`;

/** Fails fast (Ansible takes a minute to start on a busy machine), with output on both streams. */
const FAILING = ['/.dapp/deps/base/5.2.15-1/bin/bash', '-c', 'echo preparing the site; echo no space left >&2; exit 3'];

/**
 * The README's "Use dappdeps in a Dockerfile": `dappdeps mounts ansible` gives the RUN --mount options, and
 * BuildKit (through dockerode, on the engine's local images, no network) runs ansible-playbook from them.
 */
describe('a Dockerfile built with BuildKit, mounting the images with `dappdeps mounts`', function () {
  this.timeout(600_000);
  const tag = `dappdeps-test-engines-${randomBytes(4).toString('hex')}/site:1`;
  let docker: DockerClient;
  let mounts: string;
  const lines: string[] = [];
  const build = (command: string[], into: string) =>
    docker.images.build({
      image: into,
      context: contextTar(
        new Map([
          ['Dockerfile', dockerfile(mounts, command)],
          ['site.yml', PLAYBOOK],
        ]),
        [],
      ),
      tag: into,
      labels: {},
      onLine: ({ text }) => lines.push(text),
      idleTimeoutMs: 300_000,
      builder: 'buildkit',
      network: 'none',
      nocache: true, // the RUN must run (and log) on every test run
    });
  /** What `/bin/busybox ARGS…` prints in the built image. */
  const inImage = async (...args: string[]) => {
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c));
    const code = await docker.containers.run({
      image: tag,
      cmd: ['/bin/busybox', ...args],
      volumesFrom: [],
      stdout,
      stderr: stdout,
    });
    return { code, text: Buffer.concat(chunks).toString('utf8') };
  };

  before(async () => {
    docker = createDockerClient();
    await docker.engine.ping(); // no engine: fail here, loudly, never skip
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
    await ensureSmokeTargets(docker, await loadDistro(realDistroDir), new AbortController().signal);
    const printed = await runCli(realDistroDir, 'mounts', 'ansible', '--format', 'buildkit');
    expect(printed.code, printed.text).to.equal(0);
    mounts = printed.stdout.join(' ');
  });

  after(async () => {
    await docker.images.remove(tag);
  });

  it("builds the image with the playbook's changes, and the RUN's output in the log", async () => {
    await build(PLAY, tag);
    expect(lines.join('\n')).to.match(/ok=2 +changed=2 +unreachable=0 +failed=0/);
    expect(await inImage('cat', '/srv/site/index.html')).to.deep.equal({
      code: 0,
      text: 'built by ansible under buildkit\n',
    });
  });

  it('leaves no file of the mounted prefixes in the image (BuildKit 0.8 leaves their empty mount points)', async () => {
    const found = await inImage('find', '/.dapp', '!', '-type', 'd');
    expect(found).to.deep.equal({ code: 0, text: '' });
  });

  it('fails loudly on a failing RUN, with its output', async () => {
    lines.length = 0;
    const failed = `${tag.split(':')[0]}:failed`;
    const error = await build(FAILING, failed).then(
      () => undefined,
      (e: unknown) => e,
    );
    await docker.images.remove(failed); // in case a broken engine tagged it anyway
    expect(error).to.be.instanceOf(BuildError);
    expect((error as BuildError).message).to.match(/build of .*:failed failed: .*exit code: 3/);
    expect((error as BuildError).logTail).to.include.members(['preparing the site', 'no space left']);
  });
});
