import type { Command } from 'commander';
import { openEngine } from '../engine-session.js';
import type { Output } from '../../ui/output.js';

export function registerLoad(program: Command, output: Output): void {
  program
    .command('load')
    .description('check every checksum of an archive written by `dappdeps save`, then load its images')
    .argument('<file>', 'the archive')
    .action(async (file: string) => {
      const { createReadStream } = await import('node:fs');
      const { checkBundle } = await import('../../publish/bundle.js');
      const docker = await openEngine();
      const checked = await checkBundle(file);
      output.err(`${file}: ${checked.members} members match their checksums`);
      await docker.images.load(createReadStream(file));
      for (const image of checked.images) output.out(`${image.names.join(', ') || '<untagged>'} ${image.id}: loaded`);
    });
}
