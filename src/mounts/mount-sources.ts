import { volumeContainerName, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';
import type { MountSource } from './mount-flags.js';

/** What mounting `images` and their run-time closure takes: each one's name, tag, prefix and volume container. */
export function mountSources(distro: Distro, images: readonly ImageModel[], strategy: Strategy): MountSource[] {
  return distro.index.withRunDeps(images).map((image) => ({
    name: image.name,
    tag: distro.index.tag(image, strategy),
    prefix: image.prefix,
    container: volumeContainerName(distro, image),
  }));
}
