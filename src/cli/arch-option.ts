import { Option } from 'commander';
import { architectureNames } from '../manifest/architectures.js';
import { UsageError } from '../errors.js';
import type { Distro, Strategy } from '../manifest/model.js';

export interface ArchOptions {
  arch?: string;
}

export const archOption = () =>
  new Option(
    '--arch <arch>',
    "the images' architecture (one of distro.yaml's architectures; default: its architecture); another CPU's runs under emulation",
  ).choices(architectureNames);

/**
 * The distro made for `--arch` (unchanged without it), after checking that this machine can run that architecture's
 * programs: builds and smoke commands execute them.
 */
export async function distroForArchOption(
  distro: Distro,
  options: ArchOptions & { strategy: Strategy },
): Promise<Distro> {
  const { distroArchitecture, distroForArchitecture } = await import('../manifest/distro-for-architecture.js');
  const chosen = distroForArchitecture(distro, options.arch);
  if (chosen !== distro) {
    // The source strategy's LFS toolchain targets x86_64-lfs-linux-gnu and its recipes were never built elsewhere.
    if (options.strategy !== 'binary')
      throw new UsageError(`--arch ${options.arch ?? ''} builds the binary strategy only`);
    const { checkEmulation } = await import('../bootstrap/emulation.js');
    await checkEmulation(distroArchitecture(chosen));
  }
  return chosen;
}
