import type { DockerClient } from '../docker/docker-client.js';
import { architectures, type ArchitectureName } from '../manifest/architectures.js';
import { distroForArchitecture } from '../manifest/distro-for-architecture.js';
import type { Distro, ImageModel, Strategy } from '../manifest/model.js';
import { manifestEntry, parseRef, putIndex, type IndexEntry } from './image-index.js';
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
    await docker.images.tag(distro.index.tag(image, strategy), ref);
    try {
      const result = { image: image.name, ref, digest: await docker.images.push(ref) };
      pushed.push(result);
      onPushed(result);
    } finally {
      await docker.images.remove(ref); // only the extra name: the image keeps its own
    }
  }
  return pushed;
}

/** One image's per-architecture pushes and the index that joins them under `<name>:<version>`. */
export interface PushedIndex {
  image: string;
  ref: string;
  digest: string;
  manifests: Pushed[];
}

/**
 * Pushes each image once per architecture in `archs` under its own tag (`<name>:<version>-<arch>`), then an OCI
 * image index under `<name>:<version>` whose entries are those manifests with their platforms, so one tag
 * resolves to the puller's platform. Every image must be built for every one of `archs` (see carriedArchitectures).
 * The index is written through the registry's API from here: the engine cannot push one.
 */
export async function pushIndexes(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
  strategy: Strategy,
  registry: string,
  archs: readonly ArchitectureName[],
  onPushed: (pushed: PushedIndex) => void = () => undefined,
): Promise<PushedIndex[]> {
  const remote = remoteDistro(distro, registry);
  const result: PushedIndex[] = [];
  for (const image of images) {
    const indexRef = remote.index.tag(image, strategy);
    const manifests: Pushed[] = [];
    const entries: IndexEntry[] = [];
    for (const name of archs) {
      const arch = architectures[name];
      const local = distroForArchitecture(distro, name);
      const ref = `${indexRef}-${name}`;
      const own = local.images.find((i) => i.name === image.name) ?? image;
      await docker.images.tag(local.index.tag(own, strategy), ref);
      try {
        const digest = await docker.images.push(ref);
        manifests.push({ image: image.name, ref, digest });
        const platform = { os: 'linux' as const, architecture: arch.dockerArch };
        entries.push(
          await manifestEntry(
            parseRef(ref),
            digest,
            arch.dockerVariant ? { ...platform, variant: arch.dockerVariant } : platform,
          ),
        );
      } finally {
        await docker.images.remove(ref);
      }
    }
    const pushed = { image: image.name, ref: indexRef, digest: await putIndex(parseRef(indexRef), entries), manifests };
    result.push(pushed);
    onPushed(pushed);
  }
  return result;
}
