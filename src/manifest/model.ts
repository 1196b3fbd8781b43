import type { ManifestProblem } from '../errors.js';
import type { DistroIndex } from './distro-index.js';
import type { ImageModel, Strategy } from './image-model.js';
import type { DistroSettings } from './schema.js';

export { hasStrategy, strategies, type ImageModel, type Strategy } from './image-model.js';

/** A validated distro folder. */
export interface Distro {
  dir: string;
  settings: DistroSettings;
  /** Sorted by name. */
  images: ImageModel[];
  /** Images by name, tags and closures, computed once at load. */
  index: DistroIndex;
  templatesDir: string;
  /** Non-fatal findings (e.g. md5 checksums). */
  warnings: ManifestProblem[];
}

/** Binary builds are the default and get the plain version tag; source builds add "-source". */
export function imageTag(distro: Distro, image: ImageModel, strategy: Strategy): string {
  return distro.index.tag(image, strategy);
}

export function volumeContainerName(distro: Distro, image: ImageModel): string {
  return `${distro.settings.volumePrefix}${image.name}`;
}

/** The images plus their transitive run-time dependencies: what must be mounted for them to work. */
export function withRunDeps(distro: Distro, images: readonly ImageModel[]): ImageModel[] {
  return distro.index.withRunDeps(images);
}
