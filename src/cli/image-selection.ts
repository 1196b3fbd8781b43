import type { Distro, ImageModel } from '../manifest/model.js';

/** The named images (all when none are named), in distro order. */
export function selectImages(distro: Distro, names: readonly string[]): ImageModel[] {
  if (names.length === 0) return distro.images;
  const wanted = new Set(names.map((n) => distro.index.image(n).name));
  return distro.images.filter((i) => wanted.has(i.name));
}
