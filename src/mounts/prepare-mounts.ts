import type { DockerClient } from '../docker/docker-client.js';
import type { ImageMount } from '../docker/types.js';
import { NotBuiltError } from '../errors.js';
import type { Distro, ImageModel, Strategy } from '../manifest/model.js';
import { ensureVolumes } from '../volumes/volume-containers.js';
import type { MountMode } from './mount-mode.js';
import { mountSources } from './mount-sources.js';

/** What a container gets to see the prefixes: volume containers to mount from, or images to mount. */
export interface PreparedMounts {
  volumesFrom: string[];
  imageMounts: ImageMount[];
}

/**
 * Makes `images` (and their run-time closure) mountable in `mode`: volume containers created or reused,
 * or, for image mounts, nothing to create, only a check that every image is built.
 */
export async function prepareMounts(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
  strategy: Strategy,
  mode: MountMode,
): Promise<PreparedMounts> {
  if (mode === 'volumes-from') {
    const volumes = await ensureVolumes(docker, distro, distro.index.withRunDeps(images), strategy);
    return { volumesFrom: volumes.map((v) => v.container), imageMounts: [] };
  }
  const sources = mountSources(distro, images, strategy);
  const built = await Promise.all(sources.map(async (s) => (await docker.images.inspect(s.tag)) !== undefined));
  const missing = sources.filter((_, i) => !built[i]);
  if (missing.length > 0) throw new NotBuiltError(missing, strategy);
  // The image's prefix (a subpath) at the same absolute path: the tools only run from there.
  return { volumesFrom: [], imageMounts: sources.map((s) => ({ image: s.tag, target: s.prefix, subpath: s.prefix })) };
}
