import type { DockerClient } from '../docker/docker-client.js';
import { DappdepsError } from '../errors.js';
import { imageTag, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';
import { remoteDistro } from './registry.js';

export interface Pushed {
  image: string;
  /** Where it is now: `<registry>/<repository>/<name>:<version>`. */
  ref: string;
  digest: string;
}

/**
 * Pushes the built images to `registry` under the distro's names, one after the other, and returns each
 * manifest digest. Every image must be built before anything is pushed. The registry's name is a temporary
 * extra tag on the local image, removed again after the push.
 */
export async function pushImages(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
  strategy: Strategy,
  registry: string,
  onPushed: (pushed: Pushed) => void = () => undefined,
): Promise<Pushed[]> {
  const missing: string[] = [];
  for (const image of images)
    if (!(await docker.images.inspect(imageTag(distro, image, strategy))))
      missing.push(imageTag(distro, image, strategy));
  if (missing.length > 0)
    throw new DappdepsError(`not built: ${missing.join(', ')}; run \`dappdeps build\` first, nothing was pushed`);
  const remote = remoteDistro(distro, registry);
  const pushed: Pushed[] = [];
  for (const image of images) {
    const ref = imageTag(remote, image, strategy);
    await docker.transfer.tag(imageTag(distro, image, strategy), ref);
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
