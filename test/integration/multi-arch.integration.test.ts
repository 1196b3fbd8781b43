import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { checkEmulation } from '../../src/bootstrap/emulation.js';
import { setImageArchitecture } from '../../src/bootstrap/image-architecture.js';
import { createDockerClient } from '../../src/docker/docker-client.js';
import { architectures } from '../../src/manifest/architectures.js';
import { contextTar } from '../../src/orchestrator/context-tar.js';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { runCli } from '../support/run-cli.js';
import { startRegistry, type TestService } from '../support/test-services.js';

const exec = promisify(execFile);
const PREFIX = '/.dapp/deps/planted/1.0';

/**
 * One tag for every architecture, on a real registry: the arm64 fixture's image built for amd64 and arm64 (each
 * base made here already holds that machine's program from Debian's arch-test, so nothing runs under emulation),
 * pushed as an OCI image index, read back by skopeo and pulled per platform by docker and by `dappdeps pull`.
 */
describe('multi-architecture push and pull: one OCI index per tag', function () {
  this.timeout(600_000);
  const docker = new Docker();
  let fx: FixtureDistro;
  let registry: TestService;
  let remote: string;

  /** A base image holding `program` (arch-test's) at the prefix, with `arch` in its config. */
  async function makeBase(tag: string, arch: 'amd64' | 'arm64') {
    const tree = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-multiarch-'));
    try {
      const bin = path.join(tree, PREFIX, 'bin');
      await mkdir(bin, { recursive: true });
      await copyFile(`/usr/lib/arch-test/${arch}`, path.join(bin, 'native'));
      await chmod(path.join(bin, 'native'), 0o755);
      const client = createDockerClient();
      await client.images.build({
        image: 'planted-base',
        context: contextTar(new Map([['Dockerfile', 'FROM scratch\nCOPY tree/ /\n']]), [{ at: 'tree', dir: tree }]),
        tag: `${tag}-unset-arch`,
        labels: {},
        onLine: () => undefined,
        idleTimeoutMs: 120_000,
        network: 'none',
      });
      await setImageArchitecture(client, `${tag}-unset-arch`, tag, architectures[arch]);
    } finally {
      await rm(tree, { recursive: true, force: true });
    }
  }
  const architectureOf = async (ref: string) => {
    const info = await docker.getImage(ref).inspect();
    return info.Architecture;
  };

  before(async () => {
    await docker.ping(); // no engine: fail here, loudly, never skip
    await checkEmulation(architectures.arm64); // the arm64 build's FROM scratch stage asks for linux/arm64
    fx = await fixtureDistro('arm64');
    const base = `${fx.repository}/planted-base:1`;
    const settings = path.join(fx.dir, 'distro.yaml');
    await writeFile(settings, (await readFile(settings, 'utf8')).replace('dappdeps-it/planted-base:1', base));
    // The fixture plants a program of the other machine: here each architecture's image holds its own only.
    const manifest = path.join(fx.dir, 'planted.yaml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace(/^description: .*$/m, 'description: native'));
    await makeBase(base, 'amd64');
    await makeBase(`${base}-arm64`, 'arm64');
    registry = await startRegistry(path.join(fx.tmp, 'registry'));
    remote = `${registry.address}/${fx.repository}/planted`;
    for (const args of [[], ['--arch', 'arm64']]) {
      const built = await runCli(fx.dir, 'build', ...args, '--work-dir', path.join(fx.tmp, 'work'));
      expect(built.code, built.text).to.equal(0);
    }
  });
  after(async () => {
    await registry?.stop();
    for (const ref of [`${remote}:1.0`, `${remote}:1.0-arm64`])
      await docker
        .getImage(ref)
        .remove()
        .catch(() => undefined);
    await fx?.cleanup();
  });

  it('push publishes <name>:<version> as an index of both platforms, each manifest under its own tag too', async () => {
    const pushed = await runCli(fx.dir, 'push', 'planted', '--registry', registry.address);
    expect(pushed.code, pushed.text).to.equal(0);
    expect(pushed.stdout.map((l) => l.split(' ')[0])).to.deep.equal([
      `${remote}:1.0-amd64`,
      `${remote}:1.0-arm64`,
      `${remote}:1.0`,
    ]);
    expect(pushed.stdout[2]).to.match(/ sha256:[0-9a-f]{64} \(index: amd64, arm64\)$/);
    const raw = JSON.parse(
      (await exec('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${remote}:1.0`])).stdout,
    ) as { mediaType: string; manifests: { digest: string; platform: { architecture: string; variant?: string } }[] };
    expect(raw.mediaType).to.equal('application/vnd.oci.image.index.v1+json');
    expect(raw.manifests.map((m) => m.platform)).to.deep.equal([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    const own = pushed.stdout.slice(0, 2).map((l) => l.split(' ')[1]);
    expect(raw.manifests.map((m) => m.digest)).to.deep.equal(own);
  });

  it('docker pull --platform linux/arm64 of the index gets the arm64 image', async () => {
    await exec('/usr/bin/docker', ['pull', '-q', '--platform', 'linux/arm64', `${remote}:1.0`]);
    expect(await architectureOf(`${remote}:1.0`)).to.equal('arm64');
    await docker.getImage(`${remote}:1.0`).remove();
  });

  it("dappdeps pull takes the engine's platform by default and --arch another, audited, under local names", async () => {
    const local = `${fx.repository}/planted:1.0`;
    await docker.getImage(local).remove();
    await docker.getImage(`${local}-arm64`).remove();
    const arm = await runCli(fx.dir, 'pull', 'planted', '--arch', 'arm64', '--registry', registry.address);
    expect(arm.code, arm.text).to.equal(0);
    expect(arm.text).to.match(new RegExp(`${local}-arm64: pulled from .*, audit .*: ok`));
    expect(await architectureOf(`${local}-arm64`)).to.equal('arm64');
    const own = await runCli(fx.dir, 'pull', 'planted', '--registry', registry.address);
    expect(own.code, own.text).to.equal(0);
    expect(await architectureOf(local)).to.equal('amd64');
  });
});
