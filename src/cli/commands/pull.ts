import type { Command } from 'commander';
import { PrefixCache, prefixCacheDir } from '../../build/prefix-cache.js';
import { withRunDeps } from '../../build/volumes.js';
import { pullImages } from '../../publish/pull-images.js';
import { chooseRegistry } from '../../publish/registry.js';
import { addDistroOption, openDistro } from '../distro-option.js';
import { openEngine } from '../engine-session.js';
import { selectImages } from '../image-selection.js';
import type { Output } from '../output.js';
import { strategyOption } from '../strategy-option.js';
import { workDir } from '../work-dir.js';
import { type RegistryOptions, registryHelp } from './push.js';

export function registerPull(program: Command, output: Output): void {
  addDistroOption(program.command('pull'))
    .description(
      'pull images and their run-time dependencies from a registry, audit them, and tag them under their local names',
    )
    .argument('[names...]', 'images (default: every image with the strategy)')
    .option('--registry <host:port>', registryHelp)
    .addOption(strategyOption())
    .option('--work-dir <dir>', 'where prefixes are extracted for the audit (default: .dappdeps/ beside the distro)')
    .action(async (names: string[], options: RegistryOptions & { workDir?: string }) => {
      const distro = await openDistro(options, output);
      const registry = chooseRegistry(distro, options.registry);
      const images = withRunDeps(distro, selectImages(distro, names)).filter((i) => i.manifest[options.strategy]);
      const docker = await openEngine();
      const prefixes = new PrefixCache(docker, prefixCacheDir(workDir(distro, options.workDir)));
      for (const p of await pullImages(docker, distro, images, options.strategy, registry, prefixes))
        output.out(`${p.tag}: pulled from ${registry}, audit ${p.audit}`);
    });
}
