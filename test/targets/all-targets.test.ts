import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Docker from 'dockerode';
import { lineStream } from '../../src/cli/line-stream.js';
import { createDockerClient, type DockerClient } from '../../src/docker/docker-client.js';
import { chooseAnsibleSuite, parseOsRelease } from '../../src/manifest/ansible-offers.js';
import { loadDistro } from '../../src/manifest/load-distro.js';
import type { Distro } from '../../src/manifest/model.js';
import { readDistroLock } from '../../src/lock/lock-location.js';
import { provisionImage } from '../../src/provision/provision-image.js';
import { ensureSmokeTargets } from '../../src/verify/smoke-targets.js';
import { TARGET_NAMES } from '../../src/verify/target-names.js';
import type { VerifyReport } from '../../src/verify/verify-distro.js';
import { expect } from '../support/expect.js';
import { savedLayers } from '../support/image-layers.js';
import { fixturesDir, realDistroDir } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { runIn } from '../support/target-run.js';

const SITE = path.join(fixturesDir, 'targets/site/site.yml');

/**
 * The whole matrix (`npm run test:targets`: the Debian releases are bootstrapped when missing, minutes each): every
 * smoke command of every image in every target, and a provision with an apt task in each Debian release, checked
 * with the target's own dpkg and apt.
 */
describe('every target: verify --targets all', function () {
  this.timeout(3_600_000);
  const client: DockerClient = createDockerClient();
  let distro: Distro;
  let report: VerifyReport & { passed: boolean };

  before(async () => {
    await new Docker().ping();
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm');
    expect(built.code, built.text).to.equal(0);
    distro = await loadDistro(realDistroDir);
    await ensureSmokeTargets(client, distro, new AbortController().signal, () => undefined, TARGET_NAMES);
    const verified = await runCli(realDistroDir, 'verify', '--suite', 'bookworm', '--targets', 'all', '--json');
    report = JSON.parse(verified.stdout.join('\n')) as typeof report;
  });

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
});

/**
 * apt in each Debian release, with the Ansible provision chooses from the target's os-release (bookworm's bindings
 * for bullseye and bookworm, trixie's for trixie and sid): the package installed, the target's dpkg and apt clean.
 * An explicit `--ansible` whose bindings are another apt generation gets one clear refusal instead.
 */
describe('every Debian release: provision with apt', function () {
  this.timeout(3_600_000);
  const docker = new Docker();
  const client: DockerClient = createDockerClient();
  const made: string[] = [];
  let suites: Distro[];

  before(async () => {
    await docker.ping();
    const built = await runCli(realDistroDir, 'build', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
    const first = await loadDistro(realDistroDir);
    suites = await Promise.all(first.suite.all.map((s) => loadDistro(realDistroDir, s)));
    // the Debian releases, bootstrapped when the engine lacks them
    const releases = ['base', 'bullseye', 'trixie', 'sid'] as const;
    await ensureSmokeTargets(client, first, new AbortController().signal, () => undefined, releases);
  });

  after(async () => {
    for (const ref of made)
      await docker
        .getImage(ref)
        .remove()
        .catch(() => undefined);
  });

  /** The apt generation of a suite's ansible image's bindings: its locked libapt. */
  const bindingsApt = async (suite: Distro) => {
    const lock = await readDistroLock(suite);
    const version = lock?.packages['libapt-pkg6.0']?.version ?? lock?.packages['libapt-pkg7.0']?.version;
    if (!version) throw new Error(`the ${suite.suite.name} lock has no libapt-pkg for the ansible image`);
    return version;
  };
  /** The target's own apt version, from its dpkg database. */
  const targetApt = async (image: string) => {
    // a newline at the end: output without one can miss the engine's log at the container's exit
    const run = await runIn(client, image, ['dpkg-query', '-W', '-f=${Version}\n', 'apt']);
    expect(run.code, run.output).to.equal(0);
    return run.output.trim();
  };
  const major = (version: string) => version.split('.')[0];
  const cases = [
    ...['bullseye', 'bookworm', 'trixie', 'sid'].map((release) => ({ release, ansible: undefined })),
    { release: 'trixie', ansible: '2.14' },
  ];

  for (const { release, ansible } of cases) {
    const how = ansible === undefined ? 'the chosen Ansible' : `--ansible ${ansible}`;
    it(`provisions debian:${release} with apt and ${how}: installed where the bindings' apt generation is the target's, else one clear refusal`, async () => {
      const from = `debian:${release}`;
      const tag = `dappdeps-test-targets/apt-${release}-${randomBytes(3).toString('hex')}:1`;
      made.push(tag);
      const select = (text: string | undefined) =>
        chooseAnsibleSuite(suites, ansible, text === undefined ? undefined : parseOsRelease(text));
      const chosen = select((await runIn(client, from, ['cat', '/etc/os-release'])).output).distro;
      const [ours, theirs] = [await bindingsApt(chosen), await targetApt(from)];
      if (ansible === undefined)
        expect(major(ours), `${chosen.suite.name}'s bindings in ${from}`).to.equal(major(theirs));
      const log: string[] = [];
      const out = lineStream((l) => log.push(l));
      const provisioned = provisionImage(client, suites[0] ?? chosen, {
        selectAnsible: select,
        playbook: SITE,
        from,
        tag,
        stdout: out,
        stderr: out,
        network: 'host',
        extraVars: ['with_apt=true', `target_name=${from}`, `apt_expired_ok=${release === 'sid'}`],
      });
      if (major(ours) !== major(theirs)) {
        // apt 2.x's bindings against apt 3: Ansible's apt module would fail with "unknown reason" after touching
        // the lists. The prefix refuses before anything is changed, in one line naming the module and the release.
        await expect(provisioned).to.be.rejectedWith(/the playbook failed/i);
        const refusal = log.filter((l) => l.includes('apt bindings'));
        expect(refusal, log.join('\n')).to.have.length(1);
        expect(refusal[0]).to.match(
          new RegExp(
            `"msg": "apt: the apt bindings of this dappdeps ansible image are built for apt ${ours}, and Debian GNU/Linux [^"]+ has apt ${theirs.replace(/[.+~]/g, '\\$&')}: they cannot work together, nothing was changed\\.`,
          ),
        );
        expect(
          await docker
            .getImage(tag)
            .inspect()
            .catch(() => undefined),
          'no result tagged',
        ).to.equal(undefined);
        return;
      }
      await provisioned.catch((error: unknown) => {
        throw new Error(`${String(error)}\n${log.join('\n')}`);
      });
      const layers = await savedLayers(tag);
      const top = layers.layers.at(-1) ?? [];
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
