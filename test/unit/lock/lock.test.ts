import { mkdtemp, rm, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LockError } from '../../../src/errors.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { parseInstLine, parseLockScriptOutput, parseStanzas } from '../../../src/lock/apt-records.js';
import { compareLock, lockProblem, staleImages } from '../../../src/lock/check-lock.js';
import { lockChanges } from '../../../src/lock/lock-changes.js';
import { imageLockText, readLock, type DistroLock } from '../../../src/lock/lock-file.js';
import { assembleLock, requestedPackages } from '../../../src/lock/resolve-lock.js';
import { contentHash } from '../../../src/orchestrator/content-hash.js';
import { contextFiles, renderDistro } from '../../../src/render/render-distro.js';
import { expect } from '../../support/expect.js';
import { realDistroDir } from '../../support/paths.js';

const sha = (c: string) => c.repeat(64);
const defaultLock = { file: 'distro.lock', path: '/d/distro.lock', command: 'dappdeps lock' };

/** What the apt query script prints in the base image (shapes copied from a real run). */
const scriptOutput = [
  '@@base',
  'bash\t5.2.15-2+b13\tamd64',
  'libc6\t2.36-9+deb12u14\tamd64',
  'zlib1g\t1:1.2.13.dfsg-1\tamd64',
  '@@install tools',
  'Inst libpopt0 (1.19+dfsg-1 Debian:12.15/oldstable [amd64])',
  'Inst libc6 [2.36-9+deb12u14] (2.36-9+deb12u15 Debian:12.15/oldstable [amd64])',
  'Inst rsync (3.2.7-1+deb12u6 Debian:12.15/oldstable [amd64])',
  '@@exact',
  'Package: rsync',
  'Version: 3.2.7-1+deb12u6',
  'Architecture: amd64',
  'Description: fast',
  ' continuation: not a field',
  'Filename: pool/main/r/rsync/rsync_3.2.7-1+deb12u6_amd64.deb',
  `SHA256: ${sha('a')}`,
  '',
  'Package: libpopt0',
  'Version: 1.19+dfsg-1',
  'Architecture: amd64',
  `SHA256: ${sha('b')}`,
  '',
  'Package: libc6',
  'Version: 2.36-9+deb12u15',
  'Architecture: amd64',
  `SHA256: ${sha('c')}`,
  '',
  'Package: bash',
  'Version: 5.2.15-2+b13',
  'Architecture: amd64',
  `SHA256: ${sha('d')}`,
  '',
  'Package: zlib1g',
  'Version: 1:1.2.13.dfsg-1',
  'Architecture: amd64',
  `SHA256: ${sha('e')}`,
  '@@candidate',
  'Package: rsync',
  'Version: 3.2.7-1+deb12u7',
  'Architecture: amd64',
  '',
].join('\n');

describe('the package lock', () => {
  it("reads apt's simulated installs, upgrades included, and index stanzas", () => {
    expect(parseInstLine('Inst libc6 [2.36-9] (2.36-9+deb12u14 Debian:12.15/oldstable [amd64])')).to.deep.equal({
      name: 'libc6',
      version: '2.36-9+deb12u14',
      architecture: 'amd64',
    });
    expect(parseInstLine('Conf libc6 (2.36-9 Debian [amd64])')).to.equal(undefined);
    const [first] = parseStanzas(['Package: a', 'Version: 1', 'Architecture: all', ' SHA256: not-a-field']);
    expect(first).to.deep.equal({ name: 'a', version: '1', architecture: 'all' });
    const out = parseLockScriptOutput(scriptOutput);
    expect(out.base.map((b) => b.name)).to.deep.equal(['bash', 'libc6', 'zlib1g']);
    expect(out.installs.get('tools')?.map((r) => `${r.name}=${r.version}`)).to.deep.equal([
      'libpopt0=1.19+dfsg-1',
      'libc6=2.36-9+deb12u15',
      'rsync=3.2.7-1+deb12u6',
    ]);
    expect(out.exact).to.have.length(5);
    expect(out.candidates.map((c) => c.version)).to.deep.equal(['3.2.7-1+deb12u7']);
  });

  it("locks the whole build stage: the base's packages and what apt adds, with every .deb's sha256", async () => {
    const distro = await loadDistro(realDistroDir);
    const image = distro.index.image('base');
    const lock = assembleLock(
      distro,
      [image],
      {
        ...parseLockScriptOutput(scriptOutput),
        installs: parseLockScriptOutput(scriptOutput.replace('@@install tools', '@@install base')).installs,
      },
      1764000000,
    );
    expect(lock.sourceDateEpoch).to.equal(1764000000);
    expect(lock.images.base?.packages).to.deep.equal(['bash', 'libc6', 'libpopt0', 'rsync', 'zlib1g']);
    expect(lock.images.base?.requested).to.deep.equal(requestedPackages(image));
    expect(lock.packages.libc6).to.deep.include({ version: '2.36-9+deb12u15', sha256: sha('c') });
    expect(lock.packages.zlib1g).to.deep.include({ version: '1:1.2.13.dfsg-1', sha256: sha('e') });
    expect(imageLockText(lock, 'base').split('\n')).to.include(`libc6 2.36-9+deb12u15 amd64 ${sha('c')}`);
  });

  const lock: DistroLock = {
    lockVersion: 1,
    baseImage: 'debian:bookworm',
    architecture: 'amd64',
    sourceDateEpoch: 1764000000,
    images: { tools: { requested: ['patchelf', 'rsync'], packages: ['bash', 'gone', 'rsync', 'zlib1g'] } },
    packages: {
      bash: { version: '5.2.15-2+b13', architecture: 'amd64', sha256: sha('9') },
      gone: { version: '1.0-1', architecture: 'amd64', sha256: sha('f') },
      rsync: { version: '3.2.7-1+deb12u6', architecture: 'amd64', sha256: sha('a') },
      zlib1g: { version: '1:1.2.13.dfsg-1', architecture: 'amd64', sha256: sha('e') },
    },
  };

  it('checks the mirror: a version gone fails naming the package, a changed hash too, newer versions are reported', () => {
    const out = parseLockScriptOutput(scriptOutput);
    const checks = compareLock(lock, lock.images.tools?.packages ?? [], out);
    expect(checks.map((c) => [c.name, c.source])).to.deep.equal([
      ['bash', 'hash-mismatch'],
      ['gone', 'missing'],
      ['rsync', 'mirror'],
      ['zlib1g', 'mirror'],
    ]);
    expect(checks.find((c) => c.name === 'rsync')?.newer).to.equal('3.2.7-1+deb12u7');
    const problem = lockProblem({ installable: false, stale: [], packages: checks, updates: [] }, defaultLock);
    expect(problem).to.be.instanceOf(LockError);
    expect(problem?.message).to.contain('no longer has gone 1.0-1');
    expect(problem?.hint).to.contain('dappdeps lock');
  });

  it('is stale when a manifest asks for other packages than the lock was made for', async () => {
    const distro = await loadDistro(realDistroDir);
    const base = distro.index.image('base');
    const stale = staleImages(lock, [base]);
    expect(stale).to.have.length(1);
    const problem = lockProblem({ installable: false, stale, packages: [], updates: [] }, defaultLock);
    expect(problem?.message).to.match(/stale: base asks for \+patchelf/);
  });

  it('reports what changed between two locks', () => {
    const next = structuredClone(lock);
    next.packages.rsync = { version: '3.2.7-1+deb12u7', architecture: 'amd64', sha256: sha('1') };
    delete next.packages.gone;
    expect(lockChanges(lock, next)).to.deep.equal([
      { name: 'gone', from: '1.0-1' },
      { name: 'rsync', from: '3.2.7-1+deb12u6', to: '3.2.7-1+deb12u7' },
    ]);
  });

  describe('the committed distro/distro.lock', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-lock-'));
      await cp(realDistroDir, dir, { recursive: true });
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('covers every binary image with exactly what its manifest asks for', async () => {
      const distro = await loadDistro(realDistroDir);
      const real = await readLock(realDistroDir);
      expect(real).to.not.equal(undefined);
      const binary = distro.images.filter((i) => i.manifest.binary);
      expect(staleImages(real as DistroLock, binary)).to.deep.equal([]);
      for (const image of binary)
        for (const name of requestedPackages(image))
          expect(real?.packages[name]?.sha256, name).to.match(/^[0-9a-f]{64}$/);
    });

    it('is part of every sealed image content hash', async () => {
      const distro = await loadDistro(dir);
      const hashOf = async () => {
        const [ctx] = await renderDistro(distro, [distro.index.image('base')], ['binary']);
        return contentHash({ strategy: 'binary', baseImage: 'b', manifest: {}, files: contextFiles(ctx!), deps: {} });
      };
      const before = await hashOf();
      const edited = (await readLock(dir)) as DistroLock;
      const bash = edited.packages.bash!;
      edited.packages.bash = { ...bash, version: `${bash.version}.1` };
      await writeFile(path.join(dir, 'distro.lock'), JSON.stringify(edited));
      expect(await hashOf()).to.not.equal(before);
    });

    it('refuses a version or name that could become a shell word or a Dockerfile line', async () => {
      for (const [field, value] of [
        ['version', '1.0 && curl x | sh'],
        ['version', '1.0\nRUN evil'],
        ['name', 'bash;id'],
      ] as const) {
        const edited = structuredClone(lock) as unknown as { packages: Record<string, Record<string, string>> };
        if (field === 'version') edited.packages.bash!.version = value;
        else edited.packages[value] = { ...edited.packages.bash! };
        await writeFile(path.join(dir, 'distro.lock'), JSON.stringify(edited));
        await expect(readLock(dir)).to.be.rejectedWith(LockError, /distro\.lock: packages\./);
      }
    });

    it('is required to render a sealed image, with the hint to lock', async () => {
      await rm(path.join(dir, 'distro.lock'));
      const distro = await loadDistro(dir);
      await expect(renderDistro(distro, [distro.index.image('base')], ['binary'])).to.be.rejectedWith(
        LockError,
        /no distro\.lock/,
      );
    });
  });
});
