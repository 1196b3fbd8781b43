import type { Command } from 'commander';
import { ChildExit } from '../../errors.js';
import type { Strategy } from '../../manifest/model.js';
import type { MountModeOption } from '../../mounts/mount-mode.js';
import { addDistroOption, type DistroOptions } from '../distro-option.js';
import { openSuites, selectVersioned } from '../suite-option.js';
import { interruptible, openEngine } from '../engine-session.js';
import { mountModeOption, openMounts } from '../mount-mode-option.js';
import type { Output } from '../../ui/output.js';
import { strategyOption } from '../strategy-option.js';

interface RunOptions extends DistroOptions {
  image?: string;
  with?: string;
  strategy: Strategy;
  mountMode: MountModeOption;
}

export function registerRun(program: Command, output: Output): void {
  addDistroOption(program.command('run'))
    .description('run a command in any image with dappdeps prefixes mounted read-only; exits with its code')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .option('--image <image>', 'the image to run in (default: the binary build base, e.g. debian:bookworm)')
    .option(
      '--with <names>',
      'comma-separated images to mount, as name or name@version (ansible@2.14: the suite holding it); default: all built of the default suite; run-time deps are added',
    )
    .addOption(strategyOption())
    .addOption(mountModeOption())
    .action(async (command: string[], options: RunOptions) => {
      const { requireBuilt } = await import('../../volumes/volume-containers.js');
      const names = options.with
        ? options.with
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
      const docker = await openEngine();
      const { distro, images } = selectVersioned(await openSuites(options, output), names);
      const named = distro.index.withRunDeps(names.length > 0 ? images : distro.images);
      const selected = names.length > 0 ? named : await requireBuilt(docker, distro, named, options.strategy);
      const mounts = await openMounts(docker, distro, selected, options, output);
      const code = await interruptible((signal) =>
        docker.containers.run({
          image: options.image ?? distro.settings.binary.baseImage,
          cmd: command,
          ...mounts,
          stdout: process.stdout,
          stderr: process.stderr,
          signal,
        }),
      );
      if (code !== 0) throw new ChildExit(code);
    });
}
