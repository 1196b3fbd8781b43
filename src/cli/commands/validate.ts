import type { Command } from 'commander';
import { addDistroOption, type DistroOptions } from '../distro-option.js';
import { openSuites } from '../suite-option.js';
import type { Output } from '../../ui/output.js';

export function registerValidate(program: Command, output: Output): void {
  addDistroOption(program.command('validate'))
    .description('validate distro.yaml and every image manifest; list all problems with file:line:column')
    .option(
      '--json',
      'print {valid, images, warnings} on stdout; problems as an error event with {file, line, column, field, message} objects',
    )
    .action(async (options: DistroOptions & { json?: boolean }) => {
      // Every suite's view of the manifests (its variables, its version) is validated too; the default comes first.
      const [distro, ...others] = await openSuites(options, output, !options.json);
      if (!distro) throw new Error('openSuites returned no distro');
      if (options.json) {
        const images = distro.images.map((i) => i.name);
        const suites = Object.fromEntries(others.map((d) => [d.suite.name, d.images.map((i) => i.name)]));
        output.out(JSON.stringify({ valid: true, dir: distro.dir, images, suites, warnings: distro.warnings }));
      } else {
        const suites = others.map((d) => `; suite ${d.suite.name}: ${d.images.length} images valid`).join('');
        output.out(`${distro.dir}: ${distro.images.length} images valid (${distro.warnings.length} warnings)${suites}`);
      }
    });
}
