import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Docker from 'dockerode';
import { createDockerClient, type DockerClient } from '../../src/docker/docker-client.js';
import { loadDistro } from '../../src/manifest/load-distro.js';
import type { Distro } from '../../src/manifest/model.js';
import { ensureSmokeTargets } from '../../src/verify/smoke-targets.js';
import { TARGET_NAMES } from '../../src/verify/target-names.js';
import type { VerifyReport } from '../../src/verify/verify-distro.js';
import { expect } from '../support/expect.js';
import { fixturesDir, realDistroDir } from '../support/paths.js';
import { MadeImages, provisionRead } from '../support/provisioned.js';
import { runCli } from '../support/run-cli.js';
import { runIn } from '../support/target-run.js';

const SITE = path.join(fixturesDir, 'targets/site/site.yml');

/**
 * The whole matrix (`npm run test:targets`: the Debian releases are bootstrapped when missing, minutes each): every
 * smoke command of every image in every target, and a provision with an apt task in each Debian release, checked
 * with the target's own dpkg and apt.
 */
describe('every target: verify --targets all, and provision with apt in each Debian release', function () {
  this.timeout(3_600_000);
  const docker = new Docker();
  const client: DockerClient = createDockerClient();
  const made = new MadeImages(docker);
  let distro: Distro;
  let report: VerifyReport & { passed: boolean };

  before(async () => {
    await docker.ping();
    const built = await runCli(realDistroDir, 'build');
    expect(built.code, built.text).to.equal(0);
    distro = await loadDistro(realDistroDir);
    await ensureSmokeTargets(client, distro, new AbortController().signal, () => undefined, TARGET_NAMES);
    const verified = await runCli(realDistroDir, 'verify', '--targets', 'all', '--json');
    report = JSON.parse(verified.stdout.join('\n')) as typeof report;
  });

  after(() => made.removeAll());

  it('verify --targets all: every smoke command of toolchain, base, git and ansible passes in all nine targets', () => {
    expect(report.targets).to.deep.equal([
      'busybox',
      'empty',
      'debian:bookworm',
      'debian:bullseye',
      'debian:trixie',
      'debian:sid',
      'musl',
      'read-only',
      'non-root',
    ]);
    for (const image of distro.images.filter((i) => i.name !== 'chefdk'))
      for (const target of report.targets) {
        const cell = report.smoke.filter((s) => s.image === image.name && s.target === target);
        expect(cell.length, `${image.name} in ${target}`).to.equal(image.manifest.smoke.length);
        expect(
          cell.filter((s) => !s.passed).map((s) => `${s.argv.join(' ')}: ${s.output}`),
          `${image.name} in ${target}`,
        ).to.deep.equal([]);
      }
    expect(report.targetChecks.filter((c) => !c.passed).map((c) => `${c.target}: ${c.name}`)).to.deep.equal([]);
    expect(report.passed).to.equal(true);
  });

  for (const suite of ['bullseye', 'bookworm', 'trixie', 'sid']) {
    it(`provisions debian:${suite} with apt: tree and its dpkg records, no Python, no /.dapp, Cmd kept, dpkg --audit and apt-get check clean`, async () => {
      const from = `debian:${suite}`;
      const { top, layers, tag } = await provisionRead(client, distro, {
        playbook: SITE,
        from,
        tag: made.add(`dappdeps-test-targets/apt-${suite}-${randomBytes(3).toString('hex')}:1`),
        network: 'host',
        extraVars: ['with_apt=true', `target_name=${from}`],
      });
      const names = top.map((e) => e.name);
      expect(names).to.include.members(['usr/bin/tree', 'var/lib/dpkg/info/tree.list', 'srv/site/index.html']);
      expect(names.filter((n) => /^\.dapp|python/.test(n))).to.deep.equal([]);
      expect(top.find((e) => e.name === 'var/lib/dpkg/status')?.body).to.match(/^Package: tree$/m);
      const source = await docker.getImage(from).inspect();
      expect(layers.config.config.Cmd).to.deep.equal(source.Config.Cmd);
      const audit = await runIn(client, tag, ['sh', '-c', 'dpkg --audit && apt-get check -q && dpkg -s tree']);
      expect(audit.code, audit.output).to.equal(0);
      expect(audit.output).to.match(/Status: install ok installed/);
      expect(audit.output).to.not.match(/The following packages/);
    });
  }
});
