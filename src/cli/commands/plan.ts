import type { Command } from 'commander';
import { orderInRounds } from '../../graph/dependency-graph.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import type { Output } from '../../ui/output.js';

interface PlanOptions extends DistroOptions {
  json?: boolean;
}

export function registerPlan(program: Command, output: Output): void {
  addDistroOption(program.command('plan'))
    .description('show the build order as rounds of images that can build in parallel')
    .option('--json', 'print the plan as JSON')
    .action(async (options: PlanOptions) => {
      const distro = await openDistro(options, output);
      const rounds = orderInRounds(distro.images.map((i) => ({ name: i.name, deps: i.manifest.dependencies.build })));
      if (options.json) {
        const images = Object.fromEntries(
          distro.images.map((i) => [
            i.name,
            {
              version: i.version,
              prefix: i.prefix,
              build: i.manifest.dependencies.build,
              run: i.manifest.dependencies.run,
              strategies: (['binary', 'source'] as const).filter((s) => i.manifest[s]),
            },
          ]),
        );
        output.out(JSON.stringify({ rounds, images }, null, 2));
        return;
      }
      rounds.forEach((round, i) => output.out(`round ${i + 1}: ${round.join(', ')}`));
    });
}
