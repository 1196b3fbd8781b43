import type { Command } from 'commander';
import { AuditError } from '../../errors.js';
import type { Strategy } from '../../manifest/model.js';
import { archOption, distroForArchOption, type ArchOptions } from '../arch-option.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { interruptible, openEngine } from '../engine-session.js';
import { selectImages } from '../image-selection.js';
import type { Output } from '../../ui/output.js';
import { strategyOption, whichBuild } from '../strategy-option.js';
import { WORK_DIR_DEFAULT, workDir, writableDir } from '../work-dir.js';

interface VerifyOptions extends DistroOptions, ArchOptions {
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
      const distro = await distroForArchOption(await openDistro(options, output), options);
      const images = selectImages(distro, names);
      const work = await writableDir(workDir(distro, options.workDir), '--work-dir');
      const docker = await openEngine();
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
      const failures = verifyFailures(report);
      const passed = failures.lines.length === 0;
      if (options.json) output.out(JSON.stringify({ ...report, passed }, null, 2));
      else output.out(reportText(report).join('\n'));
      if (!passed) throw new AuditError(failures.subjects.join(', '), failures.lines);
    });
}
