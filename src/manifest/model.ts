import type { ManifestProblem } from '../errors.js';
import type { DistroSettings, ImageManifest } from './schema.js';
import type { YamlFile } from './yaml-document.js';

export const strategies = ['binary', 'source'] as const;
export type Strategy = (typeof strategies)[number];

/** One image of the distribution, validated. */
export interface ImageModel {
  name: string;
  version: string;
  /** `<prefixRoot>/<name>/<version>`: the only path the final image holds. */
  prefix: string;
  manifest: ImageManifest;
  yaml: YamlFile;
}

/** A validated distro folder. */
export interface Distro {
  dir: string;
  settings: DistroSettings;
  /** Sorted by name. */
  images: ImageModel[];
  templatesDir: string;
  /** Non-fatal findings (e.g. md5 checksums). */
  warnings: ManifestProblem[];
}

/** Binary builds are the default and get the plain version tag; source builds add "-source". */
export function imageTag(distro: Distro, image: ImageModel, strategy: Strategy): string {
  return `${distro.settings.repository}/${image.name}:${image.version}${strategy === 'source' ? '-source' : ''}`;
}

export function hasStrategy(image: ImageModel, strategy: Strategy): boolean {
  return image.manifest[strategy] !== undefined;
}

export function volumeContainerName(distro: Distro, image: ImageModel): string {
  return `${distro.settings.volumePrefix}${image.name}`;
}
