import type { Command } from 'commander';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { openSuites } from '../suite-option.js';
import type { Output } from '../../ui/output.js';

export function registerValidate(program: Command, output: Output): void {
  addDistroOption(program.command('validate'))
    .description('validate distro.yaml and every image manifest; list all problems with file:line:column')
    .action(async (options: DistroOptions) => {
      const distro = await openDistro(options, output, true);
      // Every suite's view of the manifests (its variables, its version) is validated too.
      const others = (await openSuites(options, output)).filter((d) => !d.suite.isDefault);
      const suites = others.map((d) => `; suite ${d.suite.name}: ${d.images.length} images valid`).join('');
      output.out(`${distro.dir}: ${distro.images.length} images valid (${distro.warnings.length} warnings)${suites}`);
    });
}
