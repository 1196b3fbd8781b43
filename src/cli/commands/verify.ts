import type { Command } from 'commander';
import { AuditError } from '../../errors.js';
import type { Distro, Strategy } from '../../manifest/model.js';
import type { VerifyReport } from '../../verify/verify-distro.js';
import { archOption, distroForArchOption, type ArchOptions } from '../arch-option.js';
import { addDistroOption, type DistroOptions } from '../distro-option.js';
import { openSuites, suiteOption, suitesWithNames, type SuiteOptions } from '../suite-option.js';
import { interruptible, openEngine } from '../engine-session.js';
import { selectImages } from '../image-selection.js';
import type { Output } from '../../ui/output.js';
import { strategyOption, whichBuild } from '../strategy-option.js';
import { WORK_DIR_DEFAULT, workDir, writableDir } from '../work-dir.js';

interface VerifyOptions extends DistroOptions, ArchOptions, SuiteOptions {
  strategy: Strategy;
  smoke: boolean;
  targets: string;
  json?: boolean;
  workDir?: string;
}

export function registerVerify(program: Command, output: Output): void {
  addDistroOption(program.command('verify'))
    .description(
      'audit built images (nothing resolves outside dappdeps prefixes, contract tools present), then run their smoke commands in each target',
    )
    .argument(
      '[names...]',
      'images to verify (default: all with the strategy); their run-time dependencies are mounted',
    )
    .addOption(strategyOption(whichBuild('verify')))
    .addOption(archOption())
    .addOption(suiteOption())
    .option('--no-smoke', 'audit only: run no containers')
    .option(
      '--targets <list>',
      'where the smoke commands run, made when missing: quick (busybox, empty, base), all, or names separated by commas (busybox, empty, base, bullseye, trixie, sid, musl, read-only, non-root)',
      'quick',
    )
    .option('--json', 'print the results as one JSON document on stdout')
    .option('--work-dir <dir>', `where image prefixes are extracted, shared with build (default: ${WORK_DIR_DEFAULT})`)
    .action(async (names: string[], options: VerifyOptions) => {
      const { PrefixCache, prefixCacheDir } = await import('../../prefix-cache/prefix-cache.js');
      const { reportText } = await import('../../verify/report-text.js');
      const { verifyDistro, verifyFailures } = await import('../../verify/verify-distro.js');
      const { parseTargetSelection } = await import('../../verify/target-names.js');
      const targets = parseTargetSelection(options.targets);
      const suites = suitesWithNames(await openSuites(options, output), names);
      const docker = await openEngine();
      const reports: [Distro, VerifyReport][] = [];
      for (const [suite, held] of suites) {
        const distro = await distroForArchOption(suite, options);
        const images = selectImages(distro, held);
        const work = await writableDir(workDir(distro, options.workDir), '--work-dir');
        const report = await interruptible((signal) =>
          verifyDistro(docker, distro, {
            strategy: options.strategy,
            images,
            smoke: options.smoke,
            targets,
            signal,
            prefixes: new PrefixCache(docker, prefixCacheDir(work)),
            ...(options.json ? {} : { onProgress: (m: string) => output.err(`${m}…`) }),
          }),
        );
        reports.push([distro, report]);
        if (!options.json) {
          if (suites.length > 1) output.out(`suite ${distro.suite.name} (${distro.settings.binary.baseImage}):`);
          output.out(reportText(report).join('\n'));
        }
      }
      if (options.json)
        output.out(
          JSON.stringify(
            jsonReport(reports, (r) => verifyFailures(r).lines.length === 0),
            null,
            2,
          ),
        );
      const failures = reports.map(([, r]) => verifyFailures(r));
      if (failures.some((f) => f.lines.length > 0))
        throw new AuditError(
          [...new Set(failures.flatMap((f) => f.subjects))].join(', '),
          failures.flatMap((f) => f.lines),
        );
    });
}

/** One suite: its report as before; several: the default suite's, and each other's under `suites`. */
function jsonReport(reports: readonly [Distro, VerifyReport][], passedOf: (r: VerifyReport) => boolean): object {
  const [[, first] = [], ...rest] = reports;
  const others = Object.fromEntries(rest.map(([d, r]) => [d.suite.name, { ...r, passed: passedOf(r) }]));
  const passed = reports.every(([, r]) => passedOf(r));
  return { ...first, passed, ...(rest.length > 0 ? { suites: others } : {}) };
}
