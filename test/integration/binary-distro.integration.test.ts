import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import Docker from 'dockerode';
import { loadDistro } from '../../src/manifest/load-distro.js';
import type { VerifyReport } from '../../src/verify/verify-distro.js';
import { expect } from '../support/expect.js';
import { fixturesDir, realDistroDir } from '../support/paths.js';
import { buildStates } from '../support/fixture-cli.js';
import { runCli, type CliRun } from '../support/run-cli.js';

/**
 * The real binary distribution, built (or found cached) under its real `dappdeps/*` tags, then verified:
 * audit and contract of every image, and every smoke command in the three targets.
 */
describe('the real binary distro on a real engine', function () {
  // A cold build of all four images takes about four minutes.
  this.timeout(1_800_000);
  const cli = (command: string, ...args: string[]) => runCli(realDistroDir, command, ...args);
  let report: VerifyReport & { passed: boolean };
  let verified: CliRun;

  before(async () => {
    await new Docker().ping(); // no engine: fail here, loudly, never skip
    // The default suite; the trixie suite is built and verified by `npm run test:trixie` (test/suites/).
    const built = await cli('build', '--suite', 'bookworm');
    expect(built.code, built.text).to.equal(0);
    verified = await cli('verify', '--suite', 'bookworm', '--json');
    report = JSON.parse(verified.stdout.join('\n')) as typeof report;
  });

  it('verifies: exit 0', () => {
    expect(verified.code, verified.stderr.join('\n')).to.equal(0);
    expect(report.passed).to.equal(true);
  });

  it('audits toolchain, base, git and ansible clean, and reports chefdk as source-only', () => {
    expect(report.audits.map((a) => a.image)).to.deep.equal(['ansible', 'base', 'git', 'toolchain']);
    for (const a of report.audits) {
      expect(a.violations, a.image).to.deep.equal([]);
      expect(a.elfFiles, a.image).to.be.greaterThan(10);
      expect(a.files, a.image).to.be.at.least(a.elfFiles);
    }
    expect(report.unsupported).to.deep.equal(['chefdk']);
  });

  it("runs every image's smoke commands in the busybox, empty and debian targets, all passing", async () => {
    const distro = await loadDistro(realDistroDir);
    expect(report.targets).to.deep.equal(['busybox', 'empty', 'debian:bookworm']);
    for (const image of distro.images.filter((i) => i.name !== 'chefdk')) {
      for (const target of report.targets) {
        const runs = report.smoke.filter((s) => s.image === image.name && s.target === target);
        expect(
          runs.map((r) => r.passed),
          `${image.name} in ${target}`,
        ).to.deep.equal(image.manifest.smoke.map(() => true));
      }
    }
    expect(report.targetChecks.map((c) => [c.target, c.name, c.passed])).to.deep.equal(
      ['busybox', 'debian:bookworm'].flatMap((target) => [
        [target, "the target's own /bin/ls / runs with the prefixes mounted", true],
        [target, "inside base's bash, the target's own ls, PATH and environment are unchanged", true],
      ]),
    );
  });

  it("prints each built image's SPDX 2.3 document (`dappdeps sbom`), valid, listing its Debian packages with purls", async () => {
    const schema = JSON.parse(
      await readFile(path.join(fixturesDir, 'spdx/spdx-2.3-required.schema.json'), 'utf8'),
    ) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    for (const name of ['toolchain', 'base', 'git', 'ansible']) {
      const printed = await cli('sbom', name);
      expect(printed.code, printed.text).to.equal(0);
      const doc = JSON.parse(printed.stdout.join('\n')) as {
        name: string;
        packages: { name: string; externalRefs?: { referenceLocator: string }[] }[];
      };
      expect(validate(doc), `${name}: ${JSON.stringify(validate.errors)}`).to.equal(true);
      const purls = doc.packages.flatMap((p) => p.externalRefs?.map((r) => r.referenceLocator) ?? []);
      expect(purls.filter((p) => p.startsWith('pkg:deb/debian/')).length, name).to.be.greaterThan(10);
    }
  });

  it('`build --force base` rebuilds base only: the toolchain it depends on keeps its image id', async () => {
    const distro = await loadDistro(realDistroDir);
    const docker = new Docker();
    const id = async (name: string) =>
      (await docker.getImage(distro.index.tag(distro.index.image(name), 'binary')).inspect()).Id;
    const before = { toolchain: await id('toolchain'), base: await id('base') };
    const forced = await cli('build', '--suite', 'bookworm', '--json', '--force', 'base');
    expect(forced.code, forced.text).to.equal(0);
    expect(buildStates(forced.stdout)).to.deep.equal({ toolchain: 'cached', base: 'built' });
    expect(await id('toolchain')).to.equal(before.toolchain);
    expect(await id('base')).not.to.equal(before.base);
  });
});
