import type { Command } from 'commander';
import type { Strategy } from '../../manifest/model.js';
import { pushImages } from '../../publish/push-images.js';
import { chooseRegistry } from '../../publish/registry.js';
import { addDistroOption, openDistro, type DistroOptions } from '../distro-option.js';
import { openEngine } from '../engine-session.js';
import { carriedImages } from '../carried-images.js';
import type { Output } from '../output.js';
import { strategyOption } from '../strategy-option.js';

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
    .addOption(strategyOption())
    .action(async (names: string[], options: RegistryOptions & { withDeps?: boolean }) => {
      const distro = await openDistro(options, output);
      const registry = chooseRegistry(distro, options.registry);
      const docker = await openEngine();
      const images = await carriedImages(docker, distro, names, options.strategy, options.withDeps ?? false);
      await pushImages(docker, distro, images, options.strategy, registry, (p) => output.out(`${p.ref} ${p.digest}`));
    });
}
