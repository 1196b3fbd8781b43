import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LockError } from '../../../src/errors.js';
import { lockProblem, staleImages } from '../../../src/lock/check-lock.js';
import { readLock, writeLock, type DistroLock } from '../../../src/lock/lock-file.js';
import { lockLocation, readDistroLock } from '../../../src/lock/lock-location.js';
import { lockedImages, requestedPackages } from '../../../src/lock/resolve-lock.js';
import { distroForArchitecture } from '../../../src/manifest/distro-for-architecture.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import type { Distro } from '../../../src/manifest/model.js';
import { renderDistro } from '../../../src/render/render-distro.js';
import { expect } from '../../support/expect.js';
import { realDistroDir } from '../../support/paths.js';

describe('one lock per architecture', () => {
  let distro: Distro;
  let arm64: Distro;
  before(async () => {
    distro = await loadDistro(realDistroDir);
    arm64 = distroForArchitecture(distro, 'arm64');
  });

  it('keeps distro.lock for the default architecture and names the others', () => {
    expect(lockLocation(distro)).to.deep.include({ file: 'distro.lock', command: 'dappdeps lock' });
    expect(lockLocation(arm64)).to.deep.equal({
      file: 'distro.arm64.lock',
      path: path.join(realDistroDir, 'distro.arm64.lock'),
      command: 'dappdeps lock --arch arm64',
    });
  });

  describe('the committed distro/distro.arm64.lock', () => {
    let lock: DistroLock;
    before(async () => {
      lock = (await readDistroLock(arm64)) as DistroLock;
    });

    it('holds arm64 packages resolved in the arm64 base image', () => {
      expect(lock.architecture).to.equal('arm64');
      expect(lock.baseImage).to.equal('arm64v8/debian:bookworm');
      const archs = new Set(Object.values(lock.packages).map((p) => p.architecture));
      expect([...archs].sort()).to.deep.equal(['all', 'arm64']);
    });

    it("covers the images arm64 builds (no toolchain) with what each asks for, base's gcc included", () => {
      const images = lockedImages(arm64);
      expect(images.map((i) => i.name).sort()).to.deep.equal(['ansible', 'base', 'git']);
      expect(staleImages(lock, images)).to.deep.equal([]);
      expect(lock.images.base?.requested).to.include.members(['gcc', 'libc6-dev']);
      for (const image of images)
        for (const name of requestedPackages(image))
          expect(lock.packages[name]?.sha256, name).to.match(/^[0-9a-f]{64}$/);
    });
  });

  describe('a distro without its arm64 lock, or with a stale one', () => {
    let dir: string;
    let copy: Distro;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-arm64-lock-'));
      await cp(realDistroDir, dir, { recursive: true });
      copy = distroForArchitecture(await loadDistro(dir), 'arm64');
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('is stale when a manifest asks for another package, with the arm64 command in the hint', async () => {
      const lock = structuredClone((await readDistroLock(arm64)) as DistroLock);
      lock.images.base!.requested = lock.images.base!.requested.filter((p) => p !== 'rsync');
      const problem = lockProblem(
        { installable: false, stale: staleImages(lock, lockedImages(copy)), packages: [], updates: [] },
        lockLocation(copy),
      );
      expect(problem).to.be.instanceOf(LockError);
      expect(problem?.message).to.contain('distro.arm64.lock is stale: base asks for +rsync');
      expect(problem?.hint).to.contain('`dappdeps lock --arch arm64`');
    });

    it("refuses the other architecture's lock under this one's name", async () => {
      await writeLock(dir, (await readLock(dir)) as DistroLock, 'distro.arm64.lock');
      await expect(readDistroLock(copy)).to.be.rejectedWith(
        LockError,
        /distro\.arm64\.lock locks amd64 packages, not arm64/,
      );
    });

    it('cannot render a sealed arm64 image, and says which command writes the lock', async () => {
      await rm(path.join(dir, 'distro.arm64.lock'));
      const failure = await renderDistro(copy, [copy.index.image('base')], ['binary']).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).to.be.instanceOf(LockError);
      expect((failure as LockError).message).to.contain('no distro.arm64.lock');
      expect((failure as LockError).hint).to.contain('`dappdeps lock --arch arm64`');
      // The default architecture still renders from distro.lock.
      const amd64 = await loadDistro(dir);
      expect(await renderDistro(amd64, [amd64.index.image('base')], ['binary'])).to.have.length(1);
    });
  });
});
