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
    .description(
      'push built images to a registry as <registry>/<repository>/<name>:<version>, printing each digest; built for several architectures, one OCI index under that tag',
    )
    .argument('[names...]', 'images (default: every built one)')
    .option('--registry <host:port>', registryHelp)
    .option('--with-deps', 'also push their run-time dependencies')
    .option(
      '--arch <archs>',
      'comma-separated architectures (default: every one built here); with several, <name>:<version> is an OCI image index of the per-architecture manifests, each also under <name>:<version>-<arch>',
    )
    .addOption(strategyOption(whichBuild('push')))
    .action(async (names: string[], options: RegistryOptions & { withDeps?: boolean; arch?: string }) => {
      const { carriedImages } = await import('../../publish/carried-images.js');
      const { carriedArchitectures, parseArchList } = await import('../../publish/carried-architectures.js');
      const { pushImages, pushIndexes } = await import('../../publish/push-images.js');
      const { chooseRegistry } = await import('../../publish/registry.js');
      const { distroForArchitecture } = await import('../../manifest/distro-for-architecture.js');
      const distro = await openDistro(options, output);
      const registry = chooseRegistry(distro, options.registry);
      const asked = options.arch === undefined ? undefined : parseArchList(distro, options.arch);
      // One architecture asked: its images, pushed as they are named (`…-arm64`); otherwise the default's images.
      const primary = asked?.length === 1 ? distroForArchitecture(distro, asked[0]) : distro;
      const named = names.length > 0 ? selectImages(primary, names) : [];
      const docker = await openEngine();
      const { strategy } = options;
      const images = await carriedImages(docker, primary, named, strategy, options.withDeps ?? false);
      for (const image of images) {
        const archs = asked?.length === 1 ? asked : await carriedArchitectures(docker, distro, image, strategy, asked);
        if (archs.length > 1)
          await pushIndexes(docker, distro, [image], strategy, registry, archs, (p) => {
            for (const m of p.manifests) output.out(`${m.ref} ${m.digest}`);
            output.out(`${p.ref} ${p.digest} (index: ${archs.join(', ')})`);
          });
        else await pushImages(docker, primary, [image], strategy, registry, (p) => output.out(`${p.ref} ${p.digest}`));
      }
    });
}
