import { builtImages, withRunDeps } from '../build/volumes.js';
import type { DockerClient } from '../docker/docker-client.js';
import type { Distro, ImageModel, Strategy } from '../manifest/model.js';
import { selectImages } from './image-selection.js';

/**
 * The images `push` and `save` carry: the named ones (with `withDeps`, their run-time closure too), or every
 * built one when none is named.
 */
export async function carriedImages(
  docker: DockerClient,
  distro: Distro,
  names: readonly string[],
  strategy: Strategy,
  withDeps: boolean,
): Promise<ImageModel[]> {
  const selected = selectImages(distro, names);
  if (names.length === 0) return builtImages(docker, distro, selected, strategy);
  return withDeps ? withRunDeps(distro, selected) : selected;
}
