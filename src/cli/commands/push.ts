import type { Command } from 'commander';
import type { Strategy } from '../../manifest/model.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { openEngine } from '../engine-session.js';
import { selectImages } from '../image-selection.js';
import type { Output } from '../../ui/output.js';
import { strategyOption, whichBuild } from '../strategy-option.js';

export interface RegistryOptions extends DistroOptions {
  registry?: string;
  strategy: Strategy;
}

export const registryHelp =
  'registry HOST:PORT (default: $DAPPDEPS_REGISTRY, else registry: in distro.yaml); loopback registries are plain http';

export function registerPush(program: Command, output: Output): void {
  addDistroOption(program.command('push'))
    .description('push built images to a registry as <registry>/<repository>/<name>:<version>, printing each digest')
    .argument('[names...]', 'images (default: every built one)')
    .option('--registry <host:port>', registryHelp)
    .option('--with-deps', 'also push their run-time dependencies')
    .addOption(strategyOption(whichBuild('push')))
    .action(async (names: string[], options: RegistryOptions & { withDeps?: boolean }) => {
      const { carriedImages } = await import('../../publish/carried-images.js');
      const { pushImages } = await import('../../publish/push-images.js');
      const { chooseRegistry } = await import('../../publish/registry.js');
      const distro = await openDistro(options, output);
      const registry = chooseRegistry(distro, options.registry);
      const named = names.length > 0 ? selectImages(distro, names) : [];
      const docker = await openEngine();
      const images = await carriedImages(docker, distro, named, options.strategy, options.withDeps ?? false);
      await pushImages(docker, distro, images, options.strategy, registry, (p) => output.out(`${p.ref} ${p.digest}`));
    });
}
