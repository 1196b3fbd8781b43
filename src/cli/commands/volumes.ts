import type { Command } from 'commander';
import type { Strategy } from '../../manifest/model.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { openEngine } from '../engine-session.js';
import { selectImages } from '../image-selection.js';
import type { Output } from '../../ui/output.js';
import { strategyOption } from '../strategy-option.js';

interface VolumesOptions extends DistroOptions {
  strategy: Strategy;
  rm?: boolean;
}

export function registerVolumes(program: Command, output: Output): void {
  addDistroOption(program.command('volumes'))
    .description('create the volume containers (dappdeps-<name>) to mount with --volumes-from; idempotent')
    .argument('[names...]', 'images (default: all built ones); their run-time dependencies are included')
    .addOption(strategyOption())
    .option('--rm', 'remove the volume containers and their volumes instead')
    .action(async (names: string[], options: VolumesOptions) => {
      const { ensureVolumes, removeVolumes, requireBuilt } = await import('../../volumes/volume-containers.js');
      const distro = await openDistro(options, output);
      const docker = await openEngine();
      const selected = distro.index.withRunDeps(selectImages(distro, names));
      if (options.rm) {
        for (const r of await removeVolumes(docker, distro, selected)) output.out(`${r.container}: ${r.outcome}`);
        return;
      }
      // Without names: every image built for this strategy (chefdk is source-only, for instance).
      const wanted = names.length > 0 ? selected : await requireBuilt(docker, distro, selected, options.strategy);
      for (const r of await ensureVolumes(docker, distro, wanted, options.strategy))
        output.out(`${r.container}: ${r.outcome} (${r.image})`);
    });
}
