import type { ManifestProblem } from '../errors.js';
import type { DistroIndex } from './distro-index.js';
import type { ImageModel, Strategy } from './image-model.js';
import type { DistroSettings } from './schema.js';
import type { Suite } from './suites.js';

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
  /** The Debian suite these images are built from (`--suite`; the default suite holds every image). */
  suite: Suite;
  /** Docker platform of every build and container, set for an architecture other than the default (`--arch`). */
  platform?: string;
}

/** Binary builds are the default and get the plain version tag; source builds add "-source". */
export function imageTag(distro: Distro, image: ImageModel, strategy: Strategy): string {
  return distro.index.tag(image, strategy);
}

/**
 * `<volumePrefix><name>`, plus `-<suite>` for a suite other than the default and the tag suffix of another
 * architecture: each suite and architecture has its own containers.
 */
export function volumeContainerName(distro: Distro, image: ImageModel): string {
  const suite = distro.suite.isDefault ? '' : `-${distro.suite.name}`;
  return `${distro.settings.volumePrefix}${image.name}${suite}${distro.index.tagSuffix}`;
}

/** The images plus their transitive run-time dependencies: what must be mounted for them to work. */
export function withRunDeps(distro: Distro, images: readonly ImageModel[]): ImageModel[] {
  return distro.index.withRunDeps(images);
}
