import { Option, type Command } from 'commander';
import { architectureNames } from '../../manifest/architectures.js';
import { hasStrategy } from '../../manifest/model.js';
import { addDistroOption, openDistro } from '../distro-option.js';
import { openEngine } from '../engine-session.js';
import { selectImages } from '../image-selection.js';
import type { Output } from '../../ui/output.js';
import { strategyOption, whichBuild } from '../strategy-option.js';
import { workDir } from '../work-dir.js';
import { type RegistryOptions, registryHelp } from './push.js';

export function registerPull(program: Command, output: Output): void {
  addDistroOption(program.command('pull'))
    .description(
      'pull images and their run-time dependencies from a registry, audit them, and tag them under their local names',
    )
    .argument('[names...]', 'images (default: every image with the strategy)')
    .option('--registry <host:port>', registryHelp)
    .addOption(strategyOption(whichBuild('pull')))
    .option('--work-dir <dir>', 'where prefixes are extracted for the audit (default: .dappdeps/ beside the distro)')
    .addOption(
      new Option(
        '--arch <arch>',
        "the architecture to pull (default: the engine's, when distro.yaml lists it); tagged <name>:<version>-<arch> unless it is the distro's own",
      ).choices(architectureNames),
    )
    .action(async (names: string[], options: RegistryOptions & { workDir?: string; arch?: string }) => {
      const { PrefixCache, prefixCacheDir } = await import('../../prefix-cache/prefix-cache.js');
      const { pullImages } = await import('../../publish/pull-images.js');
      const { chooseRegistry } = await import('../../publish/registry.js');
      const { allowedArchitectures, distroForArchitecture } = await import('../../manifest/distro-for-architecture.js');
      const opened = await openDistro(options, output);
      const registry = chooseRegistry(opened, options.registry);
      const docker = await openEngine();
      // An index under <name>:<version> resolves to the engine's platform: the images are that architecture's.
      const engineArch = (await docker.engine.version()).arch;
      const arch =
        options.arch ?? (allowedArchitectures(opened).some((a) => a === engineArch) ? engineArch : undefined);
      const distro = distroForArchitecture(opened, arch);
      const images = distro.index
        .withRunDeps(selectImages(distro, names))
        .filter((i) => hasStrategy(i, options.strategy));
      const prefixes = new PrefixCache(docker, prefixCacheDir(workDir(distro, options.workDir)));
      for (const p of await pullImages(docker, distro, images, options.strategy, registry, prefixes))
        output.out(`${p.tag}: pulled from ${registry}, audit ${p.audit}`);
    });
}
