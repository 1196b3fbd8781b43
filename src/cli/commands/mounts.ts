import { Option, type Command } from 'commander';
import type { Strategy } from '../../manifest/model.js';
import { mountFlags, mountFormats, type MountFormat } from '../../mounts/mount-flags.js';
import { mountSources } from '../../mounts/mount-sources.js';
import { addDistroOption, type DistroOptions } from '../distro-option.js';
import { openSuites, selectVersioned } from '../suite-option.js';
import type { Output } from '../../ui/output.js';
import { strategyOption } from '../strategy-option.js';

interface MountsOptions extends DistroOptions {
  format: MountFormat;
  strategy: Strategy;
}

export function registerMounts(program: Command, output: Output): void {
  addDistroOption(program.command('mounts'))
    .description('print the flags that mount the images and their run-time dependencies (for RUN, docker run)')
    .argument(
      '<names...>',
      'images to mount, as name or name@version (ansible@2.19: the suite holding that version); their run-time dependencies are added',
    )
    .addOption(
      new Option(
        '--format <format>',
        'buildkit: RUN --mount options; volumes-from: --volumes-from flags (after `dappdeps volumes`); ' +
          'docker-run: --mount type=image options (Docker 28, API >= 1.48)',
      )
        .choices(mountFormats)
        .default('buildkit'),
    )
    .addOption(strategyOption())
    .action(async (names: string[], options: MountsOptions) => {
      const { distro, images } = selectVersioned(await openSuites(options, output), names);
      output.out(mountFlags(mountSources(distro, images, options.strategy), options.format));
    });
}
