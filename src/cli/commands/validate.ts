import type { Command } from 'commander';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import type { Output } from '../../ui/output.js';

export function registerValidate(program: Command, output: Output): void {
  addDistroOption(program.command('validate'))
    .description('validate distro.yaml and every image manifest; list all problems with file:line:column')
    .option(
      '--json',
      'print {valid, images, warnings} on stdout; problems as an error event with {file, line, column, field, message} objects',
    )
    .action(async (options: DistroOptions & { json?: boolean }) => {
      const distro = await openDistro(options, output, !options.json);
      if (options.json) {
        const images = distro.images.map((i) => i.name);
        output.out(JSON.stringify({ valid: true, dir: distro.dir, images, warnings: distro.warnings }));
      } else output.out(`${distro.dir}: ${distro.images.length} images valid (${distro.warnings.length} warnings)`);
    });
}
