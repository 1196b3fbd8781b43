import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createDockerClient, type DockerClient } from '../../src/docker/docker-client.js';
import type { EngineVersion } from '../../src/docker/types.js';
import { loadDistro } from '../../src/manifest/load-distro.js';
import { hasImageMounts } from '../../src/mounts/mount-mode.js';
import { ensureSmokeTargets } from '../../src/verify/smoke-targets.js';
import { expect } from '../support/expect.js';
import { fixturesDir, realDistroDir } from '../support/paths.js';
import { labels } from '../../src/labels.js';
import { runCli } from '../support/run-cli.js';

const BASE_PREFIX = '/.dapp/deps/base/5.2.15-1';
const TARGET = 'dappdeps/target-busybox:1';

/**
 * Image mounts (`--mount-mode`) against the engine at hand. On an engine without them (dockerd 20.10, API
 * 1.41, as on our machines) this proves the detection and the fallback; on Docker 28 the same tests prove
 * the image mounts themselves.
 */
describe('image mounts where the engine has them, volume containers elsewhere', function () {
  this.timeout(300_000);
  let docker: DockerClient;
  let engine: EngineVersion;
  const cli = (...args: string[]) => runCli(realDistroDir, 'run', ...args);
  /** `dappdeps run --mount-mode MODE` of base's bash exiting with `code`, in the busybox target. */
  const bashExits = (mode: string, code: number) =>
    cli(
      '--mount-mode',
      mode,
      '--with',
      'base',
      '--image',
      TARGET,
      '--',
      `${BASE_PREFIX}/bin/bash`,
      '-c',
      `exit ${code}`,
    );

  before(async () => {
    docker = createDockerClient();
    engine = await docker.engine.version(); // no engine: fail here, loudly, never skip
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'base', 'ansible');
    expect(built.code, built.text).to.equal(0);
    await ensureSmokeTargets(docker, await loadDistro(realDistroDir), new AbortController().signal);
  });

  it('detects them exactly when the engine accepts an image mount', async () => {
    const stdout = new PassThrough();
    const run = docker.containers.run({
      image: TARGET,
      cmd: [`${BASE_PREFIX}/bin/bash`, '-c', 'exit 0'],
      volumesFrom: [],
      imageMounts: [{ image: 'dappdeps/base:5.2.15-1', target: BASE_PREFIX, subpath: BASE_PREFIX }],
      stdout,
      stderr: stdout,
    });
    if (hasImageMounts(engine.apiVersion)) expect(await run).to.equal(0);
    else await expect(run).to.be.rejectedWith(/mount type unknown/);
  });

  it('--mount-mode image runs the command, falling back with a notice where the engine lacks them', async () => {
    const run = await bashExits('image', 7);
    expect(run.code, run.text).to.equal(7);
    const notice = `this engine (${engine.version}, API ${engine.apiVersion}) has none, so the prefixes are mounted from volume containers`;
    if (hasImageMounts(engine.apiVersion)) expect(run.stderr.join('\n')).not.to.contain('image mounts need');
    else expect(run.stderr.join('\n')).to.contain(notice);
  });

  it('--mount-mode auto (the default) and volumes-from run it without a notice', async () => {
    for (const mode of ['auto', 'volumes-from']) {
      const run = await bashExits(mode, 0);

      expect(run.code, run.text).to.equal(0);
      expect(run.stderr, mode).to.deep.equal([]);
    }
  });

  it('provision --mount-mode image provisions, falling back with a notice where the engine lacks them', async () => {
    const to = `dappdeps-test-mount-mode/provisioned-${randomBytes(3).toString('hex')}:1`;
    const playbook = path.join(fixturesDir, 'provision/empty/site.yml');
    const run = await runCli(
      realDistroDir,
      'provision',
      playbook,
      '--from',
      TARGET,
      '--tag',
      to,
      '--json',
      '--no-cache',
      '-e',
      'greeting=hi',
      '--mount-mode',
      'image',
      // the default suite's Ansible, which before() built: without --ansible a busybox target gets the newest built
      '--ansible',
      '2.14',
    );
    try {
      expect(run.code, run.text).to.equal(0);
      const result = JSON.parse(run.stdout.join('\n')) as { mountMode: string; labels: Record<string, string> };
      expect(result.labels[labels.provisionAnsible]).to.match(/^2\.14\./);
      if (hasImageMounts(engine.apiVersion)) expect(result.mountMode).to.equal('image');
      else {
        expect(result.mountMode).to.equal('volumes-from');
        expect(run.stderr.join('\n')).to.contain(
          `provision: image mounts need Engine API >= 1.48 (Docker 28); this engine (${engine.version}`,
        );
      }
    } finally {
      await docker.images.remove(to);
    }
  });

  it('rejects an unknown mode as usage (exit 2)', async () => {
    expect((await cli('--mount-mode', 'bind', '--with', 'base', '--', 'true')).code).to.equal(2);
  });
});
