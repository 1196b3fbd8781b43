import { readFile, readlink, readdir } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { buildStates, fixtureCli, ORCHESTRATOR_FIRST_BUILD } from '../support/fixture-cli.js';

describe('orchestrator on a real engine (fixture distro)', function () {
  this.timeout(600_000);
  let fx: FixtureDistro;
  const docker = new Docker();
  const { cli, build: buildWith } = fixtureCli(() => fx);
  // The classic builder, whose extraction into the context is what these tests are about (the default, auto,
  // takes BuildKit here; test/integration/builders.integration.test.ts compares the two).
  const build = (...args: string[]) => buildWith('--builder', 'classic', ...args);
  let first: Awaited<ReturnType<typeof build>>;

  // Mocha runs a suite's own tests before its nested suites: the first build happens here, once.
  before(async () => {
    await docker.ping(); // no engine: fail here, loudly, never skip
    fx = await fixtureDistro('orchestrator');
    first = await build();
  });
  after(async () => fx?.cleanup());

  describe('a first build', () => {
    it('builds what it can, fails the broken image, skips its dependent, and exits 1', () => {
      expect(first.code).to.equal(1);
      expect(buildStates(first.stdout)).to.deep.equal(ORCHESTRATOR_FIRST_BUILD);
    });

    it('names the failed image and shows the tail of its log', () => {
      const err = first.stderr.join('\n');
      expect(err).to.contain('--- broken: last lines of its build log ---');
      expect(err).to.contain('about to fail on purpose');
    });

    it('leaves no containers behind', async () => {
      const leftovers = (await docker.listContainers({ all: true })).filter((c) =>
        c.Command.includes('about to fail on purpose'),
      );
      expect(leftovers).to.deep.equal([]);
    });

    it('labels images with their content hash and the dappdeps labels', async () => {
      const info = await docker.getImage(`${fx.repository}/app:2.0`).inspect();
      expect(info.Config.Labels).to.include({
        'io.dappdeps.name': 'app',
        'io.dappdeps.strategy': 'binary',
        'org.opencontainers.image.version': '2.0',
      });
      expect(info.Config.Labels['io.dappdeps.content-hash']).to.match(/^[0-9a-f]{64}$/);
      expect(info.Config.Labels['org.opencontainers.image.created']).to.match(/^\d{4}-\d\d-\d\dT/);
    });
  });

  it('fed the dependency prefix, without the files its later layers deleted, into the dependent build', async () => {
    const out = path.join(fx.tmp, 'app-out');
    expect((await cli('extract', 'app', '--to', out)).code).to.equal(0);
    expect(await readFile(path.join(out, '.dapp/deps/app/2.0/built-with'), 'utf8')).to.equal('hello from tools\n');
  });

  it('extracts a prefix honouring whiteouts and opaque directories, absolute links made relative', async () => {
    const out = path.join(fx.tmp, 'tools-out');
    const { code, stdout } = await cli('extract', 'tools', '--to', out);
    expect(code).to.equal(0);
    expect(stdout.join('')).to.match(/dappdeps-test-\w+\/tools:1\.0: \d+ files/);
    const prefix = path.join(out, '.dapp/deps/tools/1.0');
    expect((await readdir(prefix)).sort()).to.deep.equal(['bin', 'share']);
    expect(await readdir(path.join(prefix, 'share/old'))).to.deep.equal(['fresh']);
    expect(await readlink(path.join(prefix, 'bin/hello-abs'))).to.equal('hello');
    expect(await readdir(out)).to.deep.equal(['.dapp']); // nothing of the Debian layers outside the prefix
  });

  it('reports unchanged images as cached on the second run, without sending a context', async () => {
    const again = await build('tools', 'app', 'solo');
    expect(again.code).to.equal(0);
    expect(buildStates(again.stdout)).to.deep.equal({ tools: 'cached', app: 'cached', solo: 'cached' });
  });

  it('rebuilds with --force', async () => {
    const forced = await build('--force', 'solo');
    expect(forced.code).to.equal(0);
    expect(buildStates(forced.stdout)).to.deep.equal({ solo: 'built' });
  });

  describe('volume containers', () => {
    const containersNamed = async (name: string) =>
      (await docker.listContainers({ all: true })).filter((c) => c.Names.includes(`/${name}`));

    it('are created once, then reused', async () => {
      const created = await cli('volumes', 'solo');
      expect(created.code).to.equal(0);
      expect(created.stdout).to.deep.equal([`${fx.volumePrefix}solo: created (solo)`]);
      const reused = await cli('volumes', 'solo');
      expect(reused.stdout).to.deep.equal([`${fx.volumePrefix}solo: reused (solo)`]);
    });

    it('are recreated, with a new volume, when the image changed', async () => {
      const before = await docker.getContainer(`${fx.volumePrefix}solo`).inspect();
      expect((await build('--force', 'solo')).code).to.equal(0);
      const recreated = await cli('volumes', 'solo');
      expect(recreated.stdout).to.deep.equal([`${fx.volumePrefix}solo: recreated (solo)`]);
      const after = await docker.getContainer(`${fx.volumePrefix}solo`).inspect();
      expect(after.Image).not.to.equal(before.Image);
      const oldVolume = before.Mounts[0]?.Name;
      expect(oldVolume).to.be.a('string');
      const volumes = (await docker.listVolumes()).Volumes.map((v) => v.Name);
      expect(volumes).not.to.include(oldVolume);
    });

    it('survive ten concurrent creations: all succeed, exactly one container', async () => {
      await cli('volumes', '--rm', 'tools');
      const runs = await Promise.all(Array.from({ length: 10 }, () => cli('volumes', 'tools')));
      expect(runs.map((r) => r.code)).to.deep.equal(Array(10).fill(0));
      expect(await containersNamed(`${fx.volumePrefix}tools`)).to.have.length(1);
    });

    it('are removed with their volumes by --rm', async () => {
      expect((await cli('volumes', '--rm', 'tools', 'solo')).code).to.equal(0);
      expect(await containersNamed(`${fx.volumePrefix}tools`)).to.deep.equal([]);
      expect(await containersNamed(`${fx.volumePrefix}solo`)).to.deep.equal([]);
    });
  });

  describe('run', () => {
    it("exits with the command's code, prefixes mounted read-only, container removed", async () => {
      expect((await cli('run', '--with', 'solo', '--', '/.dapp/deps/solo/1.0/bin/solo', '0')).code).to.equal(0);
      expect((await cli('run', '--with', 'solo', '--', '/.dapp/deps/solo/1.0/bin/solo', '7')).code).to.equal(7);
      expect((await cli('run', '--with', 'solo', '--', 'sh', '-c', 'touch /.dapp/deps/solo/1.0/x')).code).not.to.equal(
        0,
      );
      const left = (await docker.listContainers({ all: true })).filter((c) =>
        c.Command.includes('/.dapp/deps/solo/1.0'),
      );
      expect(left).to.deep.equal([]);
    });

    it('refuses an image that was not built, telling how to build it', async () => {
      const { code, stderr } = await cli('run', '--with', 'broken', '--', 'true');
      expect(code).to.equal(1);
      expect(stderr.join('')).to.contain('run `dappdeps build broken` first');
    });
  });
});
