import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createDockerClient, type DockerClient } from '../../src/docker/docker-client.js';
import { labels } from '../../src/labels.js';
import { loadDistro } from '../../src/manifest/load-distro.js';
import { ensureSmokeTargets } from '../../src/verify/smoke-targets.js';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { savedLayers } from '../support/image-layers.js';
import { fixturesDir, realDistroDir } from '../support/paths.js';
import { startPodman, type TestService } from '../support/test-services.js';
import { buildStates, fixtureCli, ORCHESTRATOR_FIRST_BUILD } from '../support/fixture-cli.js';
import { runCli } from '../support/run-cli.js';
import { setEnv } from '../support/env.js';

/**
 * The same commands on Podman 4.3 (Debian's, through its Docker-compatible API, started by
 * scripts/podman-service.sh): a fixture distro built by Podman with both builders and one failing image,
 * volume containers, run, and provision with a clean result and a failing playbook. The real distro's images
 * are copied from the Docker engine (save, then load into Podman), not built again: building them is the
 * same Dockerfile work, minutes of it, where the subset is about what Podman does differently.
 */
describe('Podman as the engine (its Docker-compatible API)', function () {
  this.timeout(900_000);
  const docker = createDockerClient(); // the Docker engine, where the real images are
  let podman: DockerClient;
  let service: TestService;
  let restoreEnv: (() => void) | undefined;
  let fx: FixtureDistro;
  let busybox: string;
  const results: string[] = [];
  const { cli, build } = fixtureCli(() => fx);
  const fixture = (name: string) => path.join(fixturesDir, 'provision', name, 'site.yml');
  let first: Awaited<ReturnType<typeof build>>;

  before(async () => {
    await docker.engine.ping(); // no engine: fail here, loudly, never skip
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
    const distro = await loadDistro(realDistroDir);
    const [target] = await ensureSmokeTargets(docker, distro, new AbortController().signal);
    busybox = target?.image ?? '';
    const refs = [
      distro.settings.binary.baseImage,
      busybox,
      ...distro.index.withRunDeps([distro.index.image('ansible')]).map((i) => distro.index.tag(i, 'binary')),
    ];

    // Kept between runs (default /var/lib/dappdeps-podman): the images copied in are not copied again.
    service = await startPodman(process.env.DAPPDEPS_PODMAN_DIR ?? '/var/lib/dappdeps-podman');
    podman = createDockerClient({ socketPath: service.address.replace(/^unix:\/\//, '') });
    expect((await podman.engine.version()).product).to.equal('podman');
    // Only what Podman lacks (ids are the config digests on both engines): a later run loads nothing.
    const missing: string[] = [];
    for (const ref of refs) {
      const want = await docker.images.inspect(ref);
      if ((await podman.images.inspect(ref))?.id !== want?.id) missing.push(ref);
    }
    if (missing.length > 0) await podman.images.load(await docker.images.saveMany(missing));

    restoreEnv = setEnv({ DOCKER_HOST: service.address }); // the CLI and the test's own readers now talk to Podman
    fx = await fixtureDistro('orchestrator');
    first = await build('--builder', 'classic');
  });

  after(async () => {
    if (process.env.DOCKER_HOST === service?.address) {
      await fx?.cleanup();
      for (const ref of results) await podman.images.remove(ref).catch(() => undefined);
    }
    restoreEnv?.();
    await service?.stop();
  });

  it('builds a fixture distro (classic): a dependency extracted from a Podman save, the failing image named', async () => {
    expect(first.code, first.stderr.join('\n')).to.equal(1);
    expect(buildStates(first.stdout)).to.deep.equal(ORCHESTRATOR_FIRST_BUILD);
    expect(first.stderr.join('\n')).to.contain('about to fail on purpose');
    const out = path.join(fx.tmp, 'classic');
    expect((await cli('extract', 'app', '--to', out)).code).to.equal(0);
    expect(await readFile(path.join(out, '.dapp/deps/app/2.0/built-with'), 'utf8')).to.equal('hello from tools\n');
  });

  it("builds a dependent with BuildKit's mount (Buildah's RUN --mount): the same prefix, nothing extracted", async () => {
    // The builder is not part of the content hash: what the classic builder made is not made again.
    const cached = await build('--builder', 'buildkit', 'app');
    expect(buildStates(cached.stdout)).to.deep.equal({ tools: 'cached', app: 'cached' });
    // --force forces app only: tools, unchanged, is mounted as the classic builder made it.
    const again = await build('--builder', 'buildkit', '--force', 'app');
    expect(again.code, again.stderr.join('\n')).to.equal(0);
    expect(buildStates(again.stdout)).to.deep.equal({ tools: 'cached', app: 'built' });
    const out = path.join(fx.tmp, 'buildkit');
    expect((await cli('extract', 'app', '--to', out)).code).to.equal(0);
    expect(await readFile(path.join(out, '.dapp/deps/app/2.0/built-with'), 'utf8')).to.equal('hello from tools\n');
  });

  it('creates volume containers Podman has filled, reuses them, and survives concurrent creations', async () => {
    expect((await cli('volumes', 'solo')).stdout).to.deep.equal([`${fx.volumePrefix}solo: created (solo)`]);
    expect((await cli('volumes', 'solo')).stdout).to.deep.equal([`${fx.volumePrefix}solo: reused (solo)`]);
    // The prefix is there through --volumes-from: Podman filled the volume though the container never ran.
    const run = await cli(
      'run',
      '--with',
      'solo',
      '--mount-mode',
      'volumes-from',
      '--',
      '/.dapp/deps/solo/1.0/bin/solo',
      '7',
    );
    expect(run.code).to.equal(7);
    const runs = await Promise.all(Array.from({ length: 6 }, () => cli('volumes', 'tools')));
    expect(runs.map((r) => r.code)).to.deep.equal(Array(6).fill(0));
    const named = await podman.containers.listByLabel(`${labels.name}=tools`);
    expect(named.filter((c) => c.name === `${fx.volumePrefix}tools`)).to.have.length(1);
  });

  it("provisions an image as clean as on Docker: no Podman files or config, the source's layers and config kept", async () => {
    const to = `dappdeps-test-podman/modes-${randomBytes(3).toString('hex')}:1`;
    results.push(to);
    const run = await runCli(
      realDistroDir,
      'provision',
      fixture('modes'),
      '--from',
      busybox,
      '--tag',
      to,
      '--no-cache',
    );
    expect(run.code, run.text).to.equal(0);
    const [result, source] = [await savedLayers(to), await savedLayers(busybox)];
    expect(result.config.rootfs.diff_ids.slice(0, -1)).to.deep.equal(source.config.rootfs.diff_ids);
    // Podman's commit left /etc/hosts, /etc/hostname, /etc/resolv.conf, /etc/mtab, /run/.containerenv, /dev,
    // /proc and /sys in the layer, and Volumes and Env in the config; only the playbook's changes remain.
    expect((result.layers.at(-1) ?? []).map((e) => e.name)).to.deep.equal([
      'bin',
      'bin/.wh.wget',
      'opt',
      'opt/tool',
      'opt/tool/run',
    ]);
    const { Labels, ...config } = result.config.config as { Labels: Record<string, string> };
    const { Labels: sourceLabels, ...expected } = source.config.config as { Labels: Record<string, string> };
    // Podman's inspect does not report `Image` (the classic builder's parent id, a Docker-only field of the
    // config file), so that one field comes out empty; every other one is the source's.
    expect(config).to.deep.equal({ ...expected, Image: '' });
    expect(Labels).to.include(sourceLabels);
  });

  it('fails a failing playbook with exit 1, tags nothing and leaves no container', async () => {
    const to = `dappdeps-test-podman/fail-${randomBytes(3).toString('hex')}:1`;
    const run = await runCli(realDistroDir, 'provision', fixture('fail'), '--from', busybox, '--tag', to);
    expect(run.code).to.equal(1);
    expect(run.text).to.match(/the playbook failed \(ansible-playbook exited 2\); no image was tagged/);
    expect(await podman.images.inspect(to)).to.equal(undefined);
    expect(await podman.containers.listByLabel(labels.provisionRun)).to.deep.equal([]);
  });
});
