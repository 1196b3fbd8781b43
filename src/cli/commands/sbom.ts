import type { Command } from 'commander';
import { DappdepsError } from '../../errors.js';
import { hasStrategy, type Strategy } from '../../manifest/model.js';
import type { Output } from '../../ui/output.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { openEngine } from '../engine-session.js';
import { strategyOption, whichBuild } from '../strategy-option.js';

interface SbomOptions extends DistroOptions {
  strategy: Strategy;
}

export function registerSbom(program: Command, output: Output): void {
  addDistroOption(program.command('sbom'))
    .description(
      "print an image's SPDX 2.3 document: binary, the one the built image carries in its prefix; source, its pinned sources (no build needed)",
    )
    .argument('<name>', 'the image')
    .addOption(strategyOption(whichBuild('describe')))
    .action(async (name: string, options: SbomOptions) => {
      const distro = await openDistro(options, output);
      const image = distro.index.image(name);
      if (!hasStrategy(image, options.strategy))
        throw new DappdepsError(`${name} has no ${options.strategy} strategy`, {
          hint: `try --strategy ${options.strategy === 'binary' ? 'source' : 'binary'}`,
        });
      if (options.strategy === 'source') {
        const { sourceSbom } = await import('../../sbom/source-sbom.js');
        output.out(JSON.stringify(sourceSbom(distro, image), null, 2));
        return;
      }
      const { imageSbom } = await import('../../sbom/image-sbom.js');
      output.out((await imageSbom(await openEngine(), distro, image)).trimEnd());
    });
}
