import type { DockerClient } from '../docker/docker-client.js';
import { NotBuiltError, UsageError } from '../errors.js';
import { architectureNames, type ArchitectureName } from '../manifest/architectures.js';
import { allowedArchitectures, distroForArchitecture } from '../manifest/distro-for-architecture.js';
import type { Distro, ImageModel, Strategy } from '../manifest/model.js';

/** `--arch amd64,arm64`: each one of distro.yaml's architectures, once. */
export function parseArchList(distro: Distro, value: string): ArchitectureName[] {
  const allowed = allowedArchitectures(distro);
  const names = [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  for (const name of names)
    if (!(architectureNames as readonly string[]).includes(name) || !(allowed as string[]).includes(name))
      throw new UsageError(`--arch: "${name}" is not one of distro.yaml's architectures (${allowed.join(', ')})`);
  if (names.length === 0) throw new UsageError('--arch: name at least one architecture');
  return names as ArchitectureName[];
}

/**
 * The architectures `image` is carried in: `asked` (each must be built: else NotBuiltError naming the tags), or every
 * one of distro.yaml's architectures it is built for here.
 */
export async function carriedArchitectures(
  docker: DockerClient,
  distro: Distro,
  image: ImageModel,
  strategy: Strategy,
  asked: readonly ArchitectureName[] | undefined,
): Promise<ArchitectureName[]> {
  const candidates = asked ?? allowedArchitectures(distro);
  const tags = candidates.map((name) => {
    const local = distroForArchitecture(distro, name);
    const own = local.images.find((i) => i.name === image.name);
    return own?.manifest[strategy] ? local.index.tag(own, strategy) : undefined;
  });
  const built = await Promise.all(
    tags.map(async (tag) => tag !== undefined && (await docker.images.inspect(tag)) !== undefined),
  );
  if (asked) {
    const missing = candidates.filter((_, i) => !built[i]);
    if (missing.length > 0)
      throw new NotBuiltError(
        missing.map((name) => ({
          name: `--arch ${name} ${image.name}`,
          tag: tags[candidates.indexOf(name)] ?? image.name,
        })),
        strategy,
      );
  }
  return candidates.filter((_, i) => built[i]);
}
