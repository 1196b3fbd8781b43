import type { DockerClient } from '../docker/docker-client.js';
import { NotBuiltError } from '../errors.js';
import type { Distro, ImageModel, Strategy } from '../manifest/model.js';
import { builtImages } from '../volumes/volume-containers.js';

/**
 * The images `push` and `save` carry, every one of them built: the named ones (with `withDeps`, their run-time
 * closure too), or every built one when none is named. A named image that is not built is a NotBuiltError,
 * before anything is carried.
 */
export async function carriedImages(
  docker: DockerClient,
  distro: Distro,
  named: readonly ImageModel[],
  strategy: Strategy,
  withDeps: boolean,
): Promise<ImageModel[]> {
  if (named.length === 0) return builtImages(docker, distro, distro.images, strategy);
  const wanted = withDeps ? distro.index.withRunDeps(named) : [...named];
  const built = await builtImages(docker, distro, wanted, strategy);
  const missing = wanted.filter((i) => !built.includes(i));
  if (missing.length > 0)
    throw new NotBuiltError(
      missing.map((i) => ({ name: i.name, tag: distro.index.tag(i, strategy) })),
      strategy,
    );
  return built;
}
