import Docker from 'dockerode';
import { checkEmulation } from '../../src/bootstrap/emulation.js';
import { architectures } from '../../src/manifest/architectures.js';
import type { VerifyReport } from '../../src/verify/verify-distro.js';
import { expect } from '../support/expect.js';
import { realDistroDir } from '../support/paths.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const BASE_ARM64 = 'dappdeps/base:5.2.15-1-arm64';

/**
 * arm64 under qemu emulation, end to end (`npm run test:arm64`, not part of `npm test`: tens of minutes):
 * `lock --check --arch arm64` against the mirror, `build --arch arm64 base` from distro.arm64.lock on a base
 * bootstrapped as arm64 (when the engine has none: debootstrap's second stage under emulation takes minutes), the
 * build-end audit, and `verify --arch arm64` in the arm64 targets.
 */
describe('arm64 under emulation on a real engine', function () {
  this.timeout(7_200_000);
  const docker = new Docker();
  const architectureOf = async (ref: string) => {
    const info = await docker.getImage(ref).inspect();
    return `${info.Os}/${info.Architecture}`;
  };

  before(async () => {
    await docker.ping(); // no engine: fail here, loudly, never skip
    // Not registered: fail here naming the set-up script (`npm run test:arm64` runs it with --arch arm64).
    await checkEmulation(architectures.arm64);
  });

  describe('the base image (real distro)', () => {
    const cli = (command: string, ...args: string[]) => runCli(realDistroDir, command, ...args);
    let built: CliRun;
    let verified: CliRun;
    let checked: CliRun;
    let report: VerifyReport & { passed: boolean };

    before(async () => {
      // --force: built and audited on every run (docker's layer cache still spares a re-run the emulated steps).
      built = await cli('build', '--arch', 'arm64', 'base', '--force');
      checked = await cli('lock', '--check', '--arch', 'arm64');
      verified = await cli('verify', '--arch', 'arm64', 'base', '--json');
      report = JSON.parse(verified.stdout.join('\n')) as typeof report;
    });

    it('builds base (and no toolchain: the build stage compiles its launchers) and audits it clean', () => {
      expect(built.code, built.text).to.equal(0);
      expect(built.text).not.to.match(/toolchain/);
      expect(built.text).to.match(/base: audited \d+ files, \d+ ELF checked: ok/);
    });

    it('finds the committed arm64 lock installable from the mirror', () => {
      expect(checked.code, checked.text).to.equal(0);
      expect(checked.text).to.match(/^installable: \d+ packages/m);
    });

    it("tags it per architecture, with arm64 in its config and its base's", async () => {
      expect(await architectureOf(BASE_ARM64)).to.equal('linux/arm64');
      expect(await architectureOf('arm64v8/debian:bookworm')).to.equal('linux/arm64');
      const labels = (await docker.getImage(BASE_ARM64).inspect()).Config.Labels ?? {};
      expect(labels['io.dappdeps.prefix']).to.equal('/.dapp/deps/base/5.2.15-1');
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
});
