import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Comparison } from './targets-suite/compare.js';
import { formatCounts } from './targets-suite/recap.js';
import { formatReport } from './targets-suite/report.js';
import { countsDiffer, failsNatively, targets } from './targets-suite/selection.js';
import { runSuite, type SuiteResult } from './targets-suite/suite.js';
import { expect } from '../support/expect.js';
import { realDistroDir } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

function explain(runs: readonly Comparison[]): string {
  return runs.map((c) => `--- ${c.target} in ${c.mode} (log ${c.relocated.logFile}):\n${c.relocated.tail}`).join('\n');
}

/**
 * ansible-core's own integration targets (copied from its 2.14 tag into test/external/ansible-core-targets)
 * run twice: with Debian's ansible-core installed in debian:bookworm (the baseline), and with our ansible
 * image's prefix mounted into debian:bookworm and into the no-libc busybox image.
 */
describe('ansible-core 2.14 integration targets: relocated against Debian native', function () {
  this.timeout(1_800_000);
  let result: SuiteResult;
  let logDir: string;

  before(async () => {
    await new Docker().ping(); // no engine: fail here, loudly, never skip
    const built = await runCli(realDistroDir, 'build', 'ansible');
    expect(built.code, built.text).to.equal(0);
    logDir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-wtargets-'));
    result = await runSuite({ logDir });
    console.log(formatReport(result.comparisons));
  });

  after(async () => {
    if (logDir) await rm(logDir, { recursive: true, force: true });
  });

  it('runs every selected target natively and relocated, each to its end', () => {
    const expected = targets.flatMap((t) => [
      `native ${t.name}`,
      `relocated ${t.name}`,
      ...(t.busybox ? [`relocated-busybox ${t.name}`] : []),
    ]);
    expect(result.outcomes.map((o) => `${o.mode} ${o.target}`)).to.have.members(expected);
    const stopped = result.outcomes.filter((o) => o.exitCode === undefined).map((o) => `${o.mode} ${o.target}`);
    expect(stopped, 'runs stopped by the time limit').to.deep.equal([]);
  });

  it('passes relocated in debian:bookworm every target that passes natively', () => {
    const regressions = result.comparisons.filter((c) => c.mode === 'relocated' && c.verdict === 'regression');
    expect(
      regressions.map((c) => c.target),
      explain(regressions),
    ).to.deep.equal([]);
  });

  it('passes relocated in the busybox image (no libc, no Python) every marked target that passes natively', () => {
    const regressions = result.comparisons.filter((c) => c.mode === 'relocated-busybox' && c.verdict === 'regression');
    expect(
      regressions.map((c) => c.target),
      explain(regressions),
    ).to.deep.equal([]);
  });

  it('lists with its reason every target that fails natively, and nothing that passes', () => {
    const failing = result.outcomes.filter((o) => o.mode === 'native' && !o.passed).map((o) => o.target);
    expect(failing.sort()).to.deep.equal(Object.keys(failsNatively).sort());
  });

  it('counts the same ok/changed/failed tasks in debian:bookworm, natively and relocated, unless explained', () => {
    const differ = result.comparisons.filter((c) => c.mode === 'relocated' && c.verdict === 'counts-differ');
    const detail = differ.map(
      (c) => `${c.target}: ${formatCounts(c.native.recap)} / ${formatCounts(c.relocated.recap)}`,
    );
    expect(differ.map((c) => c.target).sort(), detail.join('\n')).to.deep.equal(Object.keys(countsDiffer).sort());
  });
});
