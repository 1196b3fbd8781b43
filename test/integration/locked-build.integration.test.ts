import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import Docker from 'dockerode';
import parseSpdx from 'spdx-expression-parse';
import { labels } from '../../src/labels.js';
import { readLock, type DistroLock } from '../../src/lock/lock-file.js';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { fixturesDir, repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  licenseDeclared: string;
  checksums?: { algorithm: string; checksumValue: string }[];
  externalRefs?: { referenceType: string; referenceLocator: string }[];
}
interface SpdxDocument {
  packages: SpdxPackage[];
  files: { fileName: string }[];
}

/**
 * The smallest sealed image (Debian's dash, on dappdeps' own templates), locked, built twice from scratch from the
 * same lock and base: the same layers, an SPDX 2.3 document inside that validates and agrees with dpkg, and a
 * build that refuses a lock the mirror cannot install before building anything.
 */
describe('a locked, described, reproducible image (fixture distro, real engine and mirror)', function () {
  this.timeout(900_000);
  const docker = new Docker();
  let fx: FixtureDistro;
  const cli = (command: string, ...args: string[]) => runCli(fx.dir, command, ...args);
  const workDir = () => path.join(fx.tmp, 'work');
  let lock: DistroLock;
  const layers: string[][] = [];
  let sbom: SpdxDocument;

  before(async () => {
    await docker.ping(); // no engine: fail here, loudly, never skip
    fx = await fixtureDistro('locked');
    const locked = await cli('lock');
    expect(locked.code, locked.text).to.equal(0);
    lock = (await readLock(fx.dir)) as DistroLock;
    for (let i = 0; i < 2; i++) {
      const built = await cli('build', 'tiny', '--no-cache', '--work-dir', workDir());
      expect(built.code, built.text).to.equal(0);
      layers.push((await docker.getImage(`${fx.repository}/tiny:1.0`).inspect()).RootFS.Layers ?? []);
    }
    const printed = await cli('sbom', 'tiny');
    expect(printed.code, printed.text).to.equal(0);
    sbom = JSON.parse(printed.stdout.join('\n')) as SpdxDocument;
  });
  after(async () => fx?.cleanup());

  it('locks dash, patchelf and the whole build stage, each with the sha256 of its .deb', () => {
    expect(lock.images.tiny?.requested).to.deep.equal(['patchelf', 'dash']);
    expect(lock.images.tiny?.packages).to.include.members(['dash', 'patchelf', 'libc6']);
    for (const name of lock.images.tiny?.packages ?? [])
      expect(lock.packages[name]?.sha256, name).to.match(/^[0-9a-f]{64}$/);
  });

  it('gives the same layers from two cold builds of the same lock and base', () => {
    expect(layers[0]).to.have.length.greaterThan(0);
    expect(layers[1]).to.deep.equal(layers[0]);
  });

  it('records SOURCE_DATE_EPOCH and where the SBOM is in labels', async () => {
    const info = await docker.getImage(`${fx.repository}/tiny:1.0`).inspect();
    expect(info.Config.Labels?.[labels.sourceDateEpoch]).to.equal(String(lock.sourceDateEpoch));
    expect(info.Config.Labels?.[labels.sbom]).to.equal('/.dapp/deps/tiny/1.0/share/dappdeps/sbom.spdx.json');
  });

  it("carries an SPDX 2.3 document that validates against SPDX 2.3's required fields (our schema of the specification), with valid license expressions", async () => {
    const schema = JSON.parse(
      await readFile(path.join(fixturesDir, 'spdx/spdx-2.3-required.schema.json'), 'utf8'),
    ) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(validate(sbom), JSON.stringify(validate.errors)).to.equal(true);
    for (const p of sbom.packages)
      if (p.licenseDeclared !== 'NOASSERTION') expect(() => parseSpdx(p.licenseDeclared), p.name).to.not.throw();
    expect(sbom.packages.find((p) => p.name === 'dash')?.licenseDeclared).to.not.equal('NOASSERTION');
  });

  it('agrees with dpkg in the build stage: every package with files in the prefix, at its installed version and locked .deb', async () => {
    // The build stage again from docker's cache (the same steps just ran), and dpkg's records in it.
    const stage = `${fx.repository}/tiny-stage:1`;
    const context = path.join(fx.tmp, 'stage');
    const rendered = await cli('render', 'tiny', '--out', context);
    expect(rendered.code, rendered.text).to.equal(0);
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const run = promisify(execFile);
    const dir = path.join(context, 'tiny/binary');
    await run('cp', ['-r', path.join(repoRoot, 'templates/binary/seal'), dir]);
    await run('docker', ['build', '--network', 'host', '--target', 'build', '-t', stage, dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const { stdout } = await run('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      stage,
      'sh',
      '-c',
      "dpkg-query -W -f='${Package} ${Version} ${Architecture}\\n'; echo @@; for p in $(dpkg-query -W -f='${Package}\\n'); do dpkg -L $p | sed \"s|^|$p |\"; done",
    ]);
    const [versions = '', owned = ''] = stdout.split('@@\n');
    const dpkg = new Map(
      versions
        .trim()
        .split('\n')
        .map((l) => [l.split(' ')[0], l.split(' ')]),
    );
    const debs = sbom.packages.filter((p) => p.SPDXID.startsWith('SPDXRef-Package-deb-'));
    expect(debs.map((p) => p.name)).to.include.members(['dash', 'libc6']);
    for (const p of debs) {
      const [, version, arch] = dpkg.get(p.name) ?? [];
      expect(p.versionInfo, p.name).to.equal(version);
      expect(p.externalRefs?.[0]?.referenceLocator, p.name).to.equal(
        `pkg:deb/debian/${encodeURIComponent(p.name)}@${encodeURIComponent(version ?? '')}?arch=${arch}`,
      );
      expect(p.checksums?.[0]?.checksumValue, p.name).to.equal(lock.packages[p.name]?.sha256);
    }
    // dash owns /bin/dash in dpkg's records, so the SBOM lists dash and not bin/dash as a file of no package.
    expect(owned).to.match(/^dash \/bin\/dash$/m);
    expect(sbom.files.map((f) => f.fileName)).to.not.include('./bin/dash');
    await docker.getImage(stage).remove({ force: true });
  });

  it('refuses a lock the mirror cannot install, naming the package, before building anything', async () => {
    const edited = structuredClone(lock);
    const dash = edited.packages.dash as NonNullable<DistroLock['packages'][string]>;
    edited.packages.dash = { ...dash, version: '0.0.1-1' };
    await writeFile(path.join(fx.dir, 'distro.lock'), JSON.stringify(edited));
    const before = (await docker.getImage(`${fx.repository}/tiny:1.0`).inspect()).Id;
    const built = await cli('build', 'tiny', '--work-dir', workDir());
    expect(built.code).to.equal(1);
    expect(built.text).to.contain('the mirror no longer has dash 0.0.1-1');
    expect(built.text).to.contain('hint: run `dappdeps lock`');
    expect((await docker.getImage(`${fx.repository}/tiny:1.0`).inspect()).Id).to.equal(before);

    // The security-update report says the same, as JSON, and exits 1.
    const check = await cli('lock', '--check', '--json');
    expect(check.code, check.text).to.equal(1);
    const report = JSON.parse(check.stdout.join('\n')) as {
      installable: boolean;
      packages: { name: string; source: string }[];
    };
    expect(report.installable).to.equal(false);
    expect(report.packages.find((p) => p.name === 'dash')?.source).to.equal('missing');
    expect(report.packages.find((p) => p.name === 'patchelf')?.source).to.equal('mirror');
  });
});
