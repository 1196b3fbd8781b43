import type { DockerClient } from '../docker/docker-client.js';
import type { VolumeOutcome } from '../docker/types.js';
import { NotBuiltError } from '../errors.js';
import { labels } from '../labels.js';
import { volumeContainerName, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';

/** Of `images`, those whose image exists for the strategy (to default to "everything built"). */
export async function builtImages(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
  strategy: Strategy,
): Promise<ImageModel[]> {
  const exists = await Promise.all(
    images.map(
      async (i) =>
        i.manifest[strategy] !== undefined &&
        (await docker.images.inspect(distro.index.tag(i, strategy))) !== undefined,
    ),
  );
  return images.filter((_, index) => exists[index]);
}

/**
 * The built images among `images`; when none is, NotBuiltError naming them all: a command that would mount
 * "every built image" says there is nothing to mount instead of running with none.
 */
export async function requireBuilt(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
  strategy: Strategy,
): Promise<ImageModel[]> {
  const built = await builtImages(docker, distro, images, strategy);
  if (built.length > 0) return built;
  const wanted = images.filter((i) => i.manifest[strategy] !== undefined);
  throw new NotBuiltError(
    wanted.map((i) => ({ name: i.name, tag: distro.index.tag(i, strategy) })),
    strategy,
  );
}

/** Removes the volume containers of `images` (and their volumes); says which were there. */
export async function removeVolumes(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
): Promise<{ container: string; outcome: 'removed' | 'absent' }[]> {
  const present = new Set((await docker.containers.listByLabel(labels.name)).map((c) => c.name));
  const out: { container: string; outcome: 'removed' | 'absent' }[] = [];
  for (const image of images) {
    const container = volumeContainerName(distro, image);
    await docker.volumes.remove(container);
    out.push({ container, outcome: present.has(container) ? 'removed' : 'absent' });
  }
  return out;
}

export interface VolumeResult {
  image: string;
  container: string;
  outcome: VolumeOutcome;
}

/** Create (or reuse, or recreate after an image change) the volume container of each image. */
export async function ensureVolumes(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
  strategy: Strategy,
): Promise<VolumeResult[]> {
  return Promise.all(
    images.map(async (image) => {
      const tag = distro.index.tag(image, strategy);
      if (!(await docker.images.inspect(tag))) throw new NotBuiltError([{ name: image.name, tag }], strategy);
      const container = volumeContainerName(distro, image);
      const outcome = await docker.volumes.create({
        name: container,
        image: tag,
        volume: image.prefix,
        labels: {
          [labels.name]: image.name,
          [labels.version]: image.version,
          [labels.strategy]: strategy,
        },
      });
      return { image: image.name, container, outcome };
    }),
  );
}
