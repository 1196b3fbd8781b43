import type { Command } from 'commander';
import type { Distro, Strategy } from '../../manifest/model.js';
import { addDistroOption, type DistroOptions } from '../distro-option.js';
import { openSuites, suiteOption, suitesWithNames, type SuiteOptions } from '../suite-option.js';
import { openEngine } from '../engine-session.js';
import { selectImages } from '../image-selection.js';
import type { Output } from '../../ui/output.js';
import { strategyOption } from '../strategy-option.js';

interface VolumesOptions extends DistroOptions, SuiteOptions {
  strategy: Strategy;
  rm?: boolean;
}

export function registerVolumes(program: Command, output: Output): void {
  addDistroOption(program.command('volumes'))
    .description(
      'create the volume containers (dappdeps-<name>, dappdeps-<name>-<suite> for another suite) to mount with --volumes-from; idempotent',
    )
    .argument('[names...]', 'images (default: all built ones); their run-time dependencies are included')
    .addOption(strategyOption())
    .addOption(suiteOption())
    .option('--rm', 'remove the volume containers and their volumes instead')
    .action(async (names: string[], options: VolumesOptions) => {
      const suites = suitesWithNames(await openSuites(options, output), names);
      const docker = await openEngine();
      for (const [distro, held] of suites) await volumesOfSuite(distro, held, options, docker, output);
    });
}

async function volumesOfSuite(
  distro: Distro,
  names: string[],
  options: VolumesOptions,
  docker: Awaited<ReturnType<typeof openEngine>>,
  output: Output,
): Promise<void> {
  const { builtImages, ensureVolumes, removeVolumes, requireBuilt } =
    await import('../../volumes/volume-containers.js');
  const selected = distro.index.withRunDeps(selectImages(distro, names));
  if (options.rm) {
    for (const r of await removeVolumes(docker, distro, selected)) output.out(`${r.container}: ${r.outcome}`);
    return;
  }
  // Without names: every image built for this strategy (chefdk is source-only, for instance). Another suite's images
  // that are not built are left alone, named or not; the default suite's named ones must be built.
  const wanted = !distro.suite.isDefault
    ? await builtImages(docker, distro, selected, options.strategy)
    : names.length > 0
      ? selected
      : await requireBuilt(docker, distro, selected, options.strategy);
  for (const r of await ensureVolumes(docker, distro, wanted, options.strategy))
    output.out(`${r.container}: ${r.outcome} (${r.image})`);
}
