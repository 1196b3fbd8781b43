import type { ImageManifest } from './schema.js';
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
  /** The build stage's own gcc, compiling the launchers where the `compiler` image is not made for the architecture. */
  stageCompiler?: string;
}

export function hasStrategy(image: ImageModel, strategy: Strategy): boolean {
  return image.manifest[strategy] !== undefined;
}
