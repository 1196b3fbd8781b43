import Docker from 'dockerode';
import { loadDistro } from '../../src/manifest/load-distro.js';
import type { VerifyReport } from '../../src/verify/verify-distro.js';
import { expect } from '../support/expect.js';
import { realDistroDir } from '../support/paths.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const PREFIX = '/.dapp/deps/ansible/2.19.11-1';

/**
 * The trixie suite (`npm run test:trixie`, outside CI's `npm test`: a cold build of its three images takes about as
 * long as the default suite's): base, git and ansible 2.19 built from Debian trixie, audited and smoke-tested in the
 * quick targets, and chosen per run by version.
 */
describe('the trixie suite on a real engine', function () {
  this.timeout(3_600_000);
  const cli = (command: string, ...args: string[]) => runCli(realDistroDir, command, ...args);
  let report: VerifyReport & { passed: boolean };
  let verified: CliRun;

  before(async () => {
    await new Docker().ping(); // no engine: fail here, loudly, never skip
    const built = await cli('build', '--suite', 'trixie');
    expect(built.code, built.text).to.equal(0);
    verified = await cli('verify', '--suite', 'trixie', '--json');
    report = JSON.parse(verified.stdout.join('\n')) as typeof report;
  });

  it('audits base, git and ansible 2.19 clean under their upstream-version tags', () => {
    expect(verified.code, verified.stderr.join('\n')).to.equal(0);
    expect(report.passed).to.equal(true);
    expect(report.audits.map((a) => [a.image, a.tag, a.violations.length])).to.deep.equal([
      ['ansible', 'dappdeps/ansible:2.19.11-1', 0],
      ['base', 'dappdeps/base:5.2.37-1', 0],
      ['git', 'dappdeps/git:2.47.3-1', 0],
    ]);
  });

  it("runs every image's smoke commands in busybox, empty and debian:trixie, all passing", async () => {
    expect(report.targets).to.deep.equal(['busybox', 'empty', 'debian:trixie']);
    const distro = await loadDistro(realDistroDir, 'trixie');
    for (const image of distro.images)
      for (const target of report.targets) {
        const runs = report.smoke.filter((s) => s.image === image.name && s.target === target);
        expect(
          runs.map((r) => r.passed),
          `${image.name} in ${target}`,
        ).to.deep.equal(image.manifest.smoke.map(() => true));
      }
  });

  it('`mounts ansible@2.19` mounts the trixie prefixes, `ansible` alone the default suite’s', async () => {
    const trixie = await cli('mounts', 'ansible@2.19', '--format', 'volumes-from');
    expect(trixie.code, trixie.text).to.equal(0);
    expect(trixie.stdout.join(' ')).to.equal(
      '--volumes-from dappdeps-ansible-trixie:ro --volumes-from dappdeps-base-trixie:ro --volumes-from dappdeps-git-trixie:ro',
    );
    const plain = await cli('mounts', 'ansible', '--format', 'volumes-from');
    expect(plain.stdout.join(' ')).to.contain('dappdeps-ansible:ro').and.not.to.contain('trixie');
  });

  it('`run --with ansible@2.19` runs ansible-core 2.19.11 in busybox', async () => {
    const check = `import ansible.release, sys; sys.exit(0 if ansible.release.__version__ == '2.19.11' else 3)`;
    const run = await cli(
      'run',
      '--image',
      'dappdeps/target-busybox:1',
      '--with',
      'ansible@2.19',
      '--',
      `${PREFIX}/bin/python3`,
      '-c',
      check,
    );
    expect(run.code, run.text).to.equal(0);
  });
});
