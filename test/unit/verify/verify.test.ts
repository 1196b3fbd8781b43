import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { BuildEngine } from '../../../src/orchestrator/build-engine.js';
import { buildImage, type BuildSettings, type ImageJob } from '../../../src/orchestrator/build-image.js';
import type { PrefixCache } from '../../../src/prefix-cache/prefix-cache.js';
import { AuditError } from '../../../src/errors.js';
import { findImage, loadDistro } from '../../../src/manifest/load-distro.js';
import type { Distro, ImageModel } from '../../../src/manifest/model.js';
import type { ImageAudit } from '../../../src/audit/audit-image.js';
import { checkContract } from '../../../src/audit/check-contract.js';
import { reportText } from '../../../src/verify/report-text.js';
import { smokeArgv } from '../../../src/verify/smoke-matrix.js';
import { verifyFailures, type VerifyReport } from '../../../src/verify/verify-distro.js';
import { expect } from '../../support/expect.js';
import { fixturesDir } from '../../support/paths.js';
import { GIT, TempImages } from '../../support/audit-fixtures.js';

const PREFIX = '/.dapp/deps/sealed/1.0';

describe('verify (no Docker)', () => {
  let distro: Distro;
  let sealed: ImageModel;
  before(async () => {
    distro = await loadDistro(path.join(fixturesDir, 'unsealed/distro'));
    sealed = findImage(distro, 'sealed');
  });

  describe('smoke commands', () => {
    it('run the program by its absolute path in the prefix, with {prefix} replaced in the arguments', () => {
      expect(smokeArgv(sealed, { run: ['bin/ldconfig', '-n', '{prefix}/bin', 'x{prefix}y{prefix}'] })).to.deep.equal([
        `${PREFIX}/bin/ldconfig`,
        '-n',
        `${PREFIX}/bin`,
        `x${PREFIX}y${PREFIX}`,
      ]);
    });
  });

  describe('the contract check', () => {
    const images = new TempImages();
    after(() => images.cleanup());

    it('accepts executable tools, also through a symlink inside the prefix', async () => {
      const dir = await images.make({
        [`${PREFIX}/bin/ldconfig`]: 'x',
        [`${PREFIX}/bin/version`]: { symlink: 'ldconfig' },
      });
      await chmod(path.join(dir, PREFIX, 'bin/ldconfig'), 0o755);
      expect(await checkContract(sealed, [{ prefix: PREFIX, dir }])).to.deep.equal([]);
    });

    it('names each missing, non-executable, escaping or non-file tool', async () => {
      const dir = await images.make({
        [`${PREFIX}/bin/ldconfig`]: 'x',
        [`${PREFIX}/bin/version`]: { symlink: '/usr/bin/ldd' },
      });
      expect(await checkContract(sealed, [{ prefix: PREFIX, dir }])).to.deep.equal([
        { file: `${PREFIX}/bin/ldconfig`, problem: 'contract tool ldconfig is not executable' },
        {
          file: `${PREFIX}/bin/version`,
          problem:
            'contract tool version is outside the prefixes of this image and its run-time dependencies (/usr/bin/ldd)',
        },
      ]);
      const empty = await images.make({ [`${PREFIX}/share/x`]: 'x' });
      await mkdir(path.join(empty, PREFIX, 'bin/version'), { recursive: true });
      expect(await checkContract(sealed, [{ prefix: PREFIX, dir: empty }])).to.deep.equal([
        { file: `${PREFIX}/bin/ldconfig`, problem: 'contract tool ldconfig does not exist' },
        { file: `${PREFIX}/bin/version`, problem: 'contract tool version is not a regular file' },
      ]);
    });

    it('follows symlinks into the prefixes of run-time dependencies', async () => {
      const dir = await images.make({
        [`${PREFIX}/bin/ldconfig`]: { symlink: `${GIT}/bin/git` },
        [`${PREFIX}/bin/version`]: { symlink: 'ldconfig' },
      });
      const dep = await images.make({ [`${GIT}/bin/git`]: 'x' });
      await chmod(path.join(dep, GIT, 'bin/git'), 0o755);
      expect(
        await checkContract(sealed, [
          { prefix: PREFIX, dir },
          { prefix: GIT, dir: dep },
        ]),
      ).to.deep.equal([]);
    });
  });

  describe('the build-end audit in buildImage', () => {
    const removed: string[] = [];
    let logDir: string;
    before(async () => {
      logDir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-unit-logs-'));
    });
    after(() => rm(logDir, { recursive: true, force: true }));
    const engine: Pick<BuildEngine, 'images'> = {
      images: {
        inspect: async () => undefined,
        save: async () => Readable.from([]),
        build: async () => ({ id: 'sha256:new' }),
        remove: async (tag) => void removed.push(tag),
      },
    };
    const audit = (violations: ImageAudit['violations']): ImageAudit => ({
      image: 'sealed',
      tag: 't/sealed:1.0',
      files: 1,
      elfFiles: 1,
      violations,
      notBuilt: [],
    });
    const job = (): ImageJob => ({
      name: 'sealed',
      image: sealed,
      tag: 't/sealed:1.0',
      hash: 'h',
      forced: true,
      files: new Map([['Dockerfile', 'FROM scratch']]),
      builder: 'classic',
      buildDeps: [],
      deps: [],
    });
    const settings = (result: ImageAudit): BuildSettings => ({
      engine,
      prefixes: {} as PrefixCache,
      logDir,
      idleTimeoutMs: 1000,
      audit: async () => result,
    });
    beforeEach(() => removed.splice(0));

    it('accepts a clean image', async () => {
      expect(await buildImage(job(), settings(audit([])), new AbortController().signal)).to.equal('built');
      expect(removed).to.deep.equal([]);
    });

    it('untags an image with violations and fails with an AuditError naming the files', async () => {
      const build = buildImage(
        job(),
        settings(audit([{ file: `${PREFIX}/bin/ls`, problem: 'NEEDED libc.so.6 not found' }])),
        new AbortController().signal,
      );
      await expect(build).to.be.rejectedWith(
        AuditError,
        `audit of t/sealed:1.0 failed (1 problem):\n  ${PREFIX}/bin/ls: NEEDED libc.so.6 not found`,
      );
      expect(removed).to.deep.equal(['t/sealed:1.0']);
    });
  });

  describe('the report', () => {
    const report: VerifyReport = {
      strategy: 'binary',
      audits: [
        { image: 'sealed', tag: 't/sealed:1.0', files: 1, elfFiles: 1, violations: [], notBuilt: [] },
        {
          image: 'unsealed',
          tag: 't/unsealed:1.0',
          files: 2,
          elfFiles: 1,
          violations: [{ file: '/p/bin/ls', problem: 'interpreter is outside' }],
          notBuilt: ['base'],
        },
      ],
      unsupported: ['chefdk'],
      targets: ['busybox', 'debian:bookworm'],
      smoke: [
        { image: 'sealed', target: 'busybox', argv: ['/p/a'], code: 0, output: 'ok', passed: true },
        { image: 'sealed', target: 'debian:bookworm', argv: ['/p/a'], code: 0, output: 'ok', passed: true },
        {
          image: 'unsealed',
          target: 'busybox',
          argv: ['/p/bin/ls', '/'],
          code: 127,
          output: 'one\ntwo\n',
          passed: false,
        },
        {
          image: 'unsealed',
          target: 'debian:bookworm',
          argv: ['/p/bin/ls', '/'],
          code: undefined,
          output: '',
          passed: false,
        },
      ],
      targetChecks: [
        {
          target: 'debian:bookworm',
          name: 'env unchanged',
          argv: ['/usr/bin/env'],
          code: 0,
          output: 'X=1',
          passed: true,
        },
      ],
    };

    it('lists what failed, by subject', () => {
      expect(verifyFailures(report)).to.deep.equal({
        subjects: ['unsealed'],
        lines: [
          'unsealed: 1 audit violation',
          'unsealed: run-time dependencies not built: base',
          'unsealed in busybox: /p/bin/ls / failed',
          'unsealed in debian:bookworm: /p/bin/ls / failed',
        ],
      });
    });

    it('prints counts, violations, the matrix and each failure with its output tail', () => {
      expect(reportText(report)).to.deep.equal([
        'audit (binary):',
        '  sealed (t/sealed:1.0): 1 file, 1 ELF checked: ok',
        '  unsealed (t/unsealed:1.0): 2 files, 1 ELF checked: 1 violation',
        '    /p/bin/ls: interpreter is outside',
        '    run-time dependencies not built: base',
        '  chefdk: no binary strategy, not verified',
        'smoke commands passed (per image and target):',
        '  image     busybox  debian:bookworm',
        '  sealed    1/1      1/1',
        '  unsealed  0/1      0/1',
        '  debian:bookworm: env unchanged: ok',
        'FAIL unsealed in busybox: /p/bin/ls / (exit 127)',
        '    | one',
        '    | two',
        'FAIL unsealed in debian:bookworm: /p/bin/ls / (did not finish)',
        '    | (no output)',
      ]);
    });
  });
});
