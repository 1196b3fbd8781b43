import type { Command } from 'commander';
import { DappdepsError } from '../../errors.js';
import type { Strategy } from '../../manifest/model.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { openEngine } from '../engine-session.js';
import { selectImages } from '../image-selection.js';
import type { Output } from '../../ui/output.js';
import { strategyOption, whichBuild } from '../strategy-option.js';

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
    .addOption(strategyOption(whichBuild('save')))
    .action(async (names: string[], options: SaveOptions) => {
      const { carriedImages } = await import('../../publish/carried-images.js');
      const { writeAtomically } = await import('../../publish/atomic-output.js');
      const { writeBundle } = await import('../../publish/bundle.js');
      const distro = await openDistro(options, output);
      const named = names.length > 0 ? selectImages(distro, names) : [];
      const docker = await openEngine();
      const images = await carriedImages(docker, distro, named, options.strategy, options.withDeps ?? false);
      if (images.length === 0)
        throw new DappdepsError('no built images to save', { hint: 'run `dappdeps build` first' });
      const tags = images.map((i) => distro.index.tag(i, options.strategy));
      const saved = await writeAtomically(options.out, 'file', async (temporary) =>
        writeBundle(await docker.images.saveMany(tags), temporary),
      );
      for (const image of saved) output.out(`${image.names.join(', ')} ${image.id}`);
      output.out(`${options.out}: ${saved.length} image${saved.length === 1 ? '' : 's'} with their checksums`);
    });
}
