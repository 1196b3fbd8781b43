import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import type { VerifyReport } from '../../src/verify/verify-distro.js';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const UNSEALED_LS = '/.dapp/deps/unsealed/1.0/bin/ls';

describe('audit and verify on a real engine (fixture distro)', function () {
  this.timeout(600_000);
  let fx: FixtureDistro;
  const docker = new Docker();
  const cli = (command: string, ...args: string[]) => runCli(fx.dir, command, ...args);
  const build = (...args: string[]) => cli('build', '--work-dir', path.join(fx.tmp, 'work'), ...args);
  const tagExists = async (tag: string) => (await docker.listImages({ filters: { reference: [tag] } })).length > 0;

  before(async () => {
    await docker.ping(); // no engine: fail here, loudly, never skip
    fx = await fixtureDistro('unsealed');
  });
  after(async () => fx?.cleanup());

  describe('the build-end audit', () => {
    let first: CliRun;
    before(async () => {
      first = await build();
    });

    it('fails the build of the unsealed image, naming the file and what it would load from the target', () => {
      expect(first.code).to.equal(1);
      expect(first.text).to.match(/unsealed: FAILED .*audit of dappdeps-test-\w+\/unsealed:1\.0 failed/);
      expect(first.text).to.contain(`${UNSEALED_LS}: interpreter /lib64/ld-linux-x86-64.so.2 is outside the prefixes`);
      expect(first.text).to.match(
        new RegExp(`${UNSEALED_LS}: NEEDED libc\\.so\\.6 not found inside the allowed prefixes`),
      );
    });

    it('removes the rejected tag, so the next run builds it again', async () => {
      expect(await tagExists(`${fx.repository}/unsealed:1.0`)).to.equal(false);
    });

    it('accepts the sealed image, saying how much it checked', async () => {
      expect(first.text).to.match(/^sealed: built in/m);
      expect(first.text).to.contain('sealed: audited 1 file, 1 ELF checked: ok');
      expect(await tagExists(`${fx.repository}/sealed:1.0`)).to.equal(true);
    });
  });

  describe('with the audit turned off', () => {
    before(async () => {
      const settings = path.join(fx.dir, 'distro.yaml');
      await writeFile(settings, `${await readFile(settings, 'utf8')}audit: false\n`);
    });

    it('builds the unsealed image', async () => {
      const again = await build('unsealed');
      expect(again.code, again.text).to.equal(0);
      expect(await tagExists(`${fx.repository}/unsealed:1.0`)).to.equal(true);
    });

    it('verify exits 1 naming the unsealed file; the debian target alone would have hidden it', async () => {
      const { code, stdout, stderr } = await cli('verify', 'unsealed');
      expect(code).to.equal(1);
      const out = stdout.join('\n');
      expect(out).to.contain(`${UNSEALED_LS}: interpreter /lib64/ld-linux-x86-64.so.2 is outside the prefixes`);
      expect(out).to.match(/unsealed \(dappdeps-test-\w+\/unsealed:1\.0\): 1 file, 1 ELF checked: \d+ violations/);
      expect(out).to.match(/^ {2}unsealed +0\/1 +0\/1 +1\/1$/m);
      expect(out).to.contain(`FAIL unsealed in empty: ${UNSEALED_LS} /.dapp/deps/unsealed/1.0/bin`);
      expect(stderr.join('\n')).to.contain('dappdeps: audit of unsealed failed');
    });

    it('verify --no-smoke audits only, and still fails', async () => {
      const { code, stdout } = await cli('verify', 'unsealed', '--no-smoke');
      expect(code).to.equal(1);
      expect(stdout.join('\n')).to.contain(UNSEALED_LS).and.not.to.contain('smoke commands passed');
    });
  });

  describe('verify of the sealed image', () => {
    let report: VerifyReport & { passed: boolean };
    let code: number;
    before(async () => {
      const run = await cli('verify', 'sealed', '--json');
      code = run.code;
      report = JSON.parse(run.stdout.join('\n')) as typeof report;
    });

    it('passes', () => {
      expect(code).to.equal(0);
      expect(report.passed).to.equal(true);
    });

    it('audited it and its contract clean', () => {
      expect(report.audits.map((a) => [a.image, a.files, a.elfFiles, a.violations])).to.deep.equal([
        ['sealed', 1, 1, []],
      ]);
    });

    it('ran both smoke commands in all three targets, and the busybox and debian target checks', () => {
      expect(report.targets).to.deep.equal(['busybox', 'empty', 'debian:bookworm']);
      const cells = report.smoke.map((s) => `${s.target}:${s.argv[0]}:${s.passed}`);
      expect(cells).to.deep.equal(
        report.targets.flatMap((t) => [
          `${t}:/.dapp/deps/sealed/1.0/bin/version:true`,
          `${t}:/.dapp/deps/sealed/1.0/bin/ldconfig:true`,
        ]),
      );
      expect(report.smoke[1]?.argv).to.deep.equal([
        '/.dapp/deps/sealed/1.0/bin/ldconfig',
        '-v',
        '-N',
        '-X',
        '-n',
        '/.dapp/deps/sealed/1.0/bin',
      ]);
      // The sealed image has no bash, so only the targets' own ls is checked (the empty target has none).
      expect(report.targetChecks.map((c) => [c.target, c.passed])).to.deep.equal([
        ['busybox', true],
        ['debian:bookworm', true],
      ]);
    });

    it('made its target images under the distro repository', async () => {
      expect(await tagExists(`${fx.repository}/target-busybox:1`)).to.equal(true);
      expect(await tagExists(`${fx.repository}/target-empty:1`)).to.equal(true);
    });
  });
});
