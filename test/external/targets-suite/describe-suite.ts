import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Comparison } from './compare.js';
import { formatCounts } from './recap.js';
import { formatReport } from './report.js';
import { countsDiffer, failsNatively, targets } from './selection.js';
import { runSuite, type SuiteResult } from './suite.js';
import { expect } from '../../support/expect.js';
import { realDistroDir } from '../../support/paths.js';
import { runCli } from '../../support/run-cli.js';

function explain(runs: readonly Comparison[]): string {
  return runs.map((c) => `--- ${c.target} in ${c.mode} (log ${c.relocated.logFile}):\n${c.relocated.tail}`).join('\n');
}

/**
 * Our Ansible integration targets (test/ansible-targets) run twice: with Debian's ansible-core installed in
 * debian:bookworm (the baseline), and with our ansible image's prefix mounted into debian:bookworm and into
 * the no-libc busybox image. `only`: the targets to run (default: the whole selection); `busybox`: the marked
 * ones that also run in busybox (default: all marked).
 */
export function describeTargetsSuite(title: string, only?: readonly string[], busybox?: readonly string[]): void {
  describe(title, function () {
    this.timeout(3_600_000);
    const specs = targets.filter((t) => !only || only.includes(t.name));
    let result: SuiteResult;
    let logDir: string;

    before(async () => {
      await new Docker().ping(); // no engine: fail here, loudly, never skip
      const built = await runCli(realDistroDir, 'build', 'ansible');
      expect(built.code, built.text).to.equal(0);
      logDir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-wtargets-'));
      const started = Date.now();
      result = await runSuite({ logDir, only, busybox });
      console.log(formatReport(result.comparisons));
      console.log(`targets suite: ${specs.length} targets in ${Math.round((Date.now() - started) / 1000)} s`);
    });

    after(async () => {
      if (logDir) await rm(logDir, { recursive: true, force: true });
    });

    it('runs every selected target natively and relocated, each to its end', () => {
      const expected = specs.flatMap((t) => [
        `native ${t.name}`,
        `relocated ${t.name}`,
        ...(t.busybox && (!busybox || busybox.includes(t.name)) ? [`relocated-busybox ${t.name}`] : []),
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
      const regressions = result.comparisons.filter(
        (c) => c.mode === 'relocated-busybox' && c.verdict === 'regression',
      );
      expect(
        regressions.map((c) => c.target),
        explain(regressions),
      ).to.deep.equal([]);
    });

    it('lists with its reason every target that fails natively, and nothing that passes', () => {
      const failing = result.outcomes.filter((o) => o.mode === 'native' && !o.passed).map((o) => o.target);
      const listed = Object.keys(failsNatively).filter((name) => specs.some((t) => t.name === name));
      expect(failing.sort()).to.deep.equal(listed.sort());
    });

    it('counts the same ok/changed/failed tasks in debian:bookworm, natively and relocated, unless explained', () => {
      const differ = result.comparisons.filter((c) => c.mode === 'relocated' && c.verdict === 'counts-differ');
      const detail = differ.map(
        (c) => `${c.target}: ${formatCounts(c.native.recap)} / ${formatCounts(c.relocated.recap)}`,
      );
      const listed = Object.keys(countsDiffer).filter((name) => specs.some((t) => t.name === name));
      expect(differ.map((c) => c.target).sort(), detail.join('\n')).to.deep.equal(listed.sort());
    });
  });
}
