import type { Command } from 'commander';
import type { Strategy } from '../../manifest/model.js';
import { NotBuiltError } from '../../errors.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { openEngine } from '../engine-session.js';
import type { Output } from '../../ui/output.js';
import { strategyOption, whichBuild } from '../strategy-option.js';

interface ExtractOptions extends DistroOptions {
  to: string;
  strategy: Strategy;
}

export function registerExtract(program: Command, output: Output): void {
  addDistroOption(program.command('extract'))
    .description("extract an image's prefix from its `docker save` stream into a folder, safely")
    .argument('<name>', 'the image')
    .requiredOption('--to <dir>', 'folder to write into (must be missing or empty); the prefix lands at <dir>/<prefix>')
    .addOption(strategyOption(whichBuild('extract')))
    .action(async (name: string, options: ExtractOptions) => {
      const { extractImage } = await import('../../image/extract-image.js');
      const distro = await openDistro(options, output);
      const image = distro.index.image(name);
      const tag = distro.index.tag(image, options.strategy);
      const docker = await openEngine();
      if (!(await docker.images.inspect(tag))) throw new NotBuiltError([{ name, tag }], options.strategy);
      const started = performance.now();
      const stats = await extractImage(await docker.images.save(tag), {
        target: options.to,
        only: image.prefix,
        image: tag,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      output.out(
        `${tag}: ${stats.files} files (${(stats.bytes / 1e6).toFixed(1)} MB) from ${stats.layers} ${stats.format} layers into ${options.to}${image.prefix} in ${seconds}s`,
      );
    });
}
