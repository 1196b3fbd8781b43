import type { Command } from 'commander';
import { DappdepsError } from '../../errors.js';
import { imageTag, type Strategy } from '../../manifest/model.js';
import { writeAtomically } from '../../publish/atomic-output.js';
import { writeBundle } from '../../publish/bundle.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { openEngine } from '../engine-session.js';
import { carriedImages } from '../carried-images.js';
import type { Output } from '../output.js';
import { strategyOption } from '../strategy-option.js';

interface SaveOptions extends DistroOptions {
  out: string;
  strategy: Strategy;
  withDeps?: boolean;
}

export function registerSave(program: Command, output: Output): void {
  addDistroOption(program.command('save'))
    .description('write built images into one archive with the checksum of each (plain `docker load -i` reads it too)')
    .argument('[names...]', 'images (default: every built one)')
    .requiredOption('--out <file>', 'the archive to write')
    .option('--with-deps', 'also save their run-time dependencies')
    .addOption(strategyOption())
    .action(async (names: string[], options: SaveOptions) => {
      const distro = await openDistro(options, output);
      const docker = await openEngine();
      const images = await carriedImages(docker, distro, names, options.strategy, options.withDeps ?? false);
      const tags = images.map((i) => imageTag(distro, i, options.strategy));
      const missing = [];
      for (const tag of tags) if (!(await docker.images.inspect(tag))) missing.push(tag);
      if (tags.length === 0 || missing.length > 0)
        throw new DappdepsError(
          tags.length === 0
            ? 'no built images to save'
            : `not built: ${missing.join(', ')}; run \`dappdeps build\` first`,
        );
      const saved = await writeAtomically(options.out, 'file', async (temporary) =>
        writeBundle(await docker.transfer.saveMany(tags), temporary),
      );
      for (const image of saved) output.out(`${image.names.join(', ')} ${image.id}`);
      output.out(`${options.out}: ${saved.length} image${saved.length === 1 ? '' : 's'} with their checksums`);
    });
}
