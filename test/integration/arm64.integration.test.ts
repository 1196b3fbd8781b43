import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { checkEmulation } from '../../src/bootstrap/emulation.js';
import { architectures } from '../../src/manifest/architectures.js';
import type { VerifyReport } from '../../src/verify/verify-distro.js';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { realDistroDir } from '../support/paths.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const BASE_ARM64 = 'dappdeps/base:0.2.3-arm64';

/**
 * arm64 under qemu emulation, end to end: `build --arch arm64 base` on a base bootstrapped as arm64 (when the
 * engine has none: debootstrap's second stage under emulation takes minutes), the build-end audit, and
 * `verify --arch arm64` in the arm64 targets. Then the audit of an arm64 image with a planted x86-64 program.
 */
describe('arm64 under emulation on a real engine', function () {
  this.timeout(3_600_000);
  const docker = new Docker();
  const architectureOf = async (ref: string) => {
    const info = await docker.getImage(ref).inspect();
    return `${info.Os}/${info.Architecture}`;
  };

  before(async () => {
    await docker.ping(); // no engine: fail here, loudly, never skip
    // Not registered: fail here naming the set-up script (`npm test` runs it with --arch arm64).
    await checkEmulation(architectures.arm64);
  });

  describe('the base image (real distro)', () => {
    const cli = (command: string, ...args: string[]) => runCli(realDistroDir, command, ...args);
    let built: CliRun;
    let verified: CliRun;
    let report: VerifyReport & { passed: boolean };

    before(async () => {
      built = await cli('build', '--arch', 'arm64', 'base');
      verified = await cli('verify', '--arch', 'arm64', 'base', '--json');
      report = JSON.parse(verified.stdout.join('\n')) as typeof report;
    });

    it('builds base (and no toolchain: the build stage compiles its launchers) and audits it clean', () => {
      expect(built.code, built.text).to.equal(0);
      expect(built.text).not.to.match(/toolchain/);
      expect(built.text).to.match(/base: audited \d+ files, \d+ ELF checked: ok/);
    });

    it("tags it per architecture, with arm64 in its config and its base's", async () => {
      expect(await architectureOf(BASE_ARM64)).to.equal('linux/arm64');
      expect(await architectureOf('arm64v8/debian:bookworm')).to.equal('linux/arm64');
      const labels = (await docker.getImage(BASE_ARM64).inspect()).Config.Labels ?? {};
      expect(labels['io.dappdeps.prefix']).to.equal('/.dapp/deps/base/0.2.3');
    });

    it('holds only AArch64 ELF files, all of them checked', () => {
      const [audit] = report.audits;
      expect(audit?.tag).to.equal(BASE_ARM64);
      expect(audit?.violations).to.deep.equal([]);
      expect(audit?.elfFiles).to.be.greaterThan(50);
    });

    it('passes every smoke command in the arm64 targets (busybox, empty, Debian)', async () => {
      expect(verified.code, verified.stderr.join('\n')).to.equal(0);
      expect(report.targets).to.deep.equal(['busybox', 'empty', 'arm64v8/debian:bookworm']);
      const failed = report.smoke.filter((s) => !s.passed).map((s) => `${s.target}: ${s.argv.join(' ')}: ${s.output}`);
      expect(failed).to.deep.equal([]);
      expect(report.smoke).to.have.length(3 * 4);
      expect(report.targetChecks.every((c) => c.passed)).to.equal(true);
      for (const target of ['dappdeps/target-busybox:1-arm64', 'dappdeps/target-empty:1-arm64'])
        expect(await architectureOf(target), target).to.equal('linux/arm64');
    });

    it('runs the arm64 bash as an AArch64 program in the busybox target', () => {
      const bash = report.smoke.find((s) => s.target === 'busybox' && s.argv[0]?.endsWith('/bin/bash'));
      expect(bash?.passed).to.equal(true);
    });
  });

  describe('a planted program of another machine', () => {
    let fx: FixtureDistro;
    let run: CliRun;
    const PREFIX = '/.dapp/deps/planted/1.0';

    before(async () => {
      fx = await fixtureDistro('arm64');
      // A real x86-64 program (Debian's arch-test), sent with the build context through the seal kit folder.
      const kit = path.join(fx.dir, 'templates/binary/seal');
      await mkdir(kit, { recursive: true });
      await copyFile('/usr/lib/arch-test/amd64', path.join(kit, 'x86-64-program'));
      run = await runCli(fx.dir, 'build', '--arch', 'arm64', '--work-dir', path.join(fx.tmp, 'work'));
    });
    after(async () => fx?.cleanup());

    it('fails the build-end audit, naming the file and both machines, and only it', () => {
      expect(run.code).to.equal(1);
      expect(run.text).to.contain(
        `${PREFIX}/bin/planted: is an ELF file for x86-64 (e_machine 62); the image is arm64 (AArch64, e_machine 183)`,
      );
      expect(run.text).to.contain('(1 problem)');
      expect(run.text).not.to.contain(`${PREFIX}/bin/ldconfig:`);
    });

    it('leaves no tag, neither the image nor its temporary name', async () => {
      const tags = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []);
      expect(tags.filter((t) => t.startsWith(`${fx.repository}/`))).to.deep.equal([]);
    });
  });
});
