import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { checkEmulation } from '../../src/bootstrap/emulation.js';
import { setImageArchitecture } from '../../src/bootstrap/image-architecture.js';
import { createDockerClient } from '../../src/docker/docker-client.js';
import { architectures } from '../../src/manifest/architectures.js';
import { contextTar } from '../../src/orchestrator/context-tar.js';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { realDistroDir } from '../support/paths.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const PREFIX = '/.dapp/deps/planted/1.0';

/**
 * The audit of an arm64 image holding a planted x86-64 program. Under binfmt emulation the program would even run,
 * so only the audit can tell. The base image is made here and already holds the prefix (arch-test's AArch64 and
 * x86-64 programs): the build runs nothing under emulation and takes seconds. The whole arm64 base, built and
 * verified under emulation, is `npm run test:arm64` (test/arm64/).
 */
describe('arm64: a planted program of another machine, on a real engine', function () {
  this.timeout(300_000);
  const docker = new Docker();
  let fx: FixtureDistro;
  let base: string;
  let run: CliRun;

  before(async () => {
    await docker.ping(); // no engine: fail here, loudly, never skip
    // Not registered: fail here naming the set-up script (`npm test` runs it with --arch arm64).
    await checkEmulation(architectures.arm64);
    fx = await fixtureDistro('arm64');
    base = `${fx.repository}/planted-base:1`;
    const settings = path.join(fx.dir, 'distro.yaml');
    await writeFile(settings, (await readFile(settings, 'utf8')).replace('dappdeps-it/planted-base:1', base));

    const tree = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-planted-'));
    try {
      const bin = path.join(tree, PREFIX, 'bin');
      await mkdir(bin, { recursive: true });
      for (const [from, to] of [
        ['arm64', 'native'],
        ['amd64', 'planted'],
      ] as const) {
        await copyFile(`/usr/lib/arch-test/${from}`, path.join(bin, to));
        await chmod(path.join(bin, to), 0o755);
      }
      const client = createDockerClient();
      await client.images.build({
        image: 'planted-base',
        context: contextTar(new Map([['Dockerfile', 'FROM scratch\nCOPY tree/ /\n']]), [{ at: 'tree', dir: tree }]),
        tag: `${base}-unset-arch`,
        labels: {},
        onLine: () => undefined,
        idleTimeoutMs: 120_000,
        network: 'none',
      });
      // What an arm64 base says in its config: the classic builder wrote amd64 into this FROM scratch image.
      await setImageArchitecture(client, `${base}-unset-arch`, `${base}-arm64`, architectures.arm64);
    } finally {
      await rm(tree, { recursive: true, force: true });
    }
    run = await runCli(fx.dir, 'build', '--arch', 'arm64', '--work-dir', path.join(fx.tmp, 'work'));
  });
  after(async () => fx?.cleanup());

  it('fails the build-end audit, naming the file and both machines, and only it', () => {
    expect(run.code, run.text).to.equal(1);
    expect(run.text).to.contain(
      `${PREFIX}/bin/planted: is an ELF file for x86-64 (e_machine 62); the image is arm64 (AArch64, e_machine 183)`,
    );
    expect(run.text).to.contain('(1 problem)');
    expect(run.text).not.to.contain(`${PREFIX}/bin/native:`);
  });

  it('leaves no tag, neither the image nor its temporary name', async () => {
    const tags = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []);
    expect(tags.filter((t) => t.startsWith(`${fx.repository}/planted:`))).to.deep.equal([]);
    expect(tags).to.include(`${base}-arm64`); // the base is still there: the failure is the image's own
  });
});

describe('arm64: build without its lock, on a real engine', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-arm64-nolock-'));
    await cp(realDistroDir, dir, { recursive: true });
    await rm(path.join(dir, 'distro.arm64.lock'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('stops before building anything, naming the lock and the command that writes it', async () => {
    const run = await runCli(dir, 'build', '--arch', 'arm64', 'base', '--work-dir', path.join(dir, 'work'));
    expect(run.code, run.text).to.equal(1);
    expect(run.text).to.contain('no distro.arm64.lock').and.to.contain('`dappdeps lock --arch arm64`');
    expect(run.text).not.to.contain('base: building');
  });
});
