import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { checkBundle } from '../../publish/bundle.js';
import { openEngine } from '../engine-session.js';
import type { Output } from '../output.js';

export function registerLoad(program: Command, output: Output): void {
  program
    .command('load')
    .description('check every checksum of an archive written by `dappdeps save`, then load its images')
    .argument('<file>', 'the archive')
    .action(async (file: string) => {
      const docker = await openEngine();
      const checked = await checkBundle(file);
      output.err(`${file}: ${checked.members} members match their checksums`);
      await docker.transfer.load(createReadStream(file));
      for (const image of checked.images) output.out(`${image.names.join(', ') || '<untagged>'} ${image.id}: loaded`);
    });
}
