import type { DockerClient } from '../docker/docker-client.js';
import type { Distro, ImageModel, Strategy } from '../manifest/model.js';
import { remoteDistro } from './registry.js';

export interface Pushed {
  image: string;
  /** Where it is now: `<registry>/<repository>/<name>:<version>`. */
  ref: string;
  digest: string;
}

/**
 * Pushes the built images to `registry` under the distro's names, one after the other, and returns each
 * manifest digest (the images are built: see carriedImages). The registry's name is a temporary extra tag on
 * the local image, removed again after the push.
 */
export async function pushImages(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
  strategy: Strategy,
  registry: string,
  onPushed: (pushed: Pushed) => void = () => undefined,
): Promise<Pushed[]> {
  const remote = remoteDistro(distro, registry);
  const pushed: Pushed[] = [];
  for (const image of images) {
    const ref = remote.index.tag(image, strategy);
    await docker.imageStore.tag(distro.index.tag(image, strategy), ref);
    try {
      const result = { image: image.name, ref, digest: await docker.transfer.push(ref) };
      pushed.push(result);
      onPushed(result);
    } finally {
      await docker.images.remove(ref); // only the extra name: the image keeps its own
    }
  }
  return pushed;
}
