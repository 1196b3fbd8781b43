import { UsageError } from '../errors.js';
import { registry as registryPattern } from '../manifest/patterns.js';
import { DistroIndex } from '../manifest/distro-index.js';
import type { Distro } from '../manifest/model.js';

/** The variable that points every push and pull at a registry (a mirror, say) without editing distro.yaml. */
export const REGISTRY_ENV = 'DAPPDEPS_REGISTRY';

/** The registry to use: --registry, else DAPPDEPS_REGISTRY, else distro.yaml's `registry:`. */
export function chooseRegistry(distro: Distro, option: string | undefined, env = process.env): string {
  const [value, from] =
    option !== undefined
      ? [option, '--registry']
      : env[REGISTRY_ENV]
        ? [env[REGISTRY_ENV], REGISTRY_ENV]
        : [distro.settings.registry, 'distro.yaml'];
  if (value === undefined)
    throw new UsageError(
      `no registry: give --registry HOST:PORT, set ${REGISTRY_ENV}, or add registry: to distro.yaml`,
    );
  const checked = registryPattern.safeParse(value);
  if (!checked.success)
    throw new UsageError(`${from}: ${checked.error.issues[0]?.message ?? 'not a registry address'}`);
  return value;
}

/**
 * The distro as the registry names it: the same images under `<registry>/<repository>`, so every helper that
 * derives a tag from the distro (its index, the audit) works on the registry's references unchanged.
 */
export function remoteDistro(distro: Distro, registry: string): Distro {
  const settings = { ...distro.settings, repository: `${registry}/${distro.settings.repository}` };
  // The architecture's tag suffix stays: an arm64 image is `<registry>/…/<name>:<version>-arm64` there too.
  return { ...distro, settings, index: new DistroIndex(settings, distro.images, distro.index.tagSuffix) };
}
