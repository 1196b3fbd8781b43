import type { Builder } from '../docker/types.js';
import { strategies, hasStrategy, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';
import { readDistroLock } from '../lock/lock-location.js';
import { TemplateSet } from './handlebars-env.js';
import { sealKit } from './kinds/binary.js';
import { renderImage } from './render-image.js';
import type { RenderedFiles } from './rendered-files.js';

export interface RenderedContext {
  image: ImageModel;
  strategy: Strategy;
  /** What this image renders for itself: written to `images/<name>/<strategy>/`. */
  files: RenderedFiles;
  /** Files every image of the strategy shares (the seal kit): sent with the build context, not written. */
  kit: RenderedFiles;
  /** Folder of this context relative to the images folder: `<name>/<strategy>`, `<name>/<strategy>-<suite>` in
   * another suite than the default. */
  dir: string;
}

/**
 * Render the given images (all by default) for the given strategies (all by default), in memory, for the
 * classic builder (what `images/` holds) unless told otherwise.
 */
export async function renderDistro(
  distro: Distro,
  images: readonly ImageModel[] = distro.images,
  only: readonly Strategy[] = strategies,
  builder: Builder = 'classic',
): Promise<RenderedContext[]> {
  const templates = await TemplateSet.open(distro.templatesDir);
  const kits: Record<Strategy, RenderedFiles> = { binary: await sealKit(templates), source: new Map() };
  const lock = only.includes('binary') ? await readDistroLock(distro) : undefined;
  const out: RenderedContext[] = [];
  for (const image of images) {
    for (const strategy of only) {
      if (!hasStrategy(image, strategy)) continue;
      const files = await renderImage(distro, templates, image, strategy, builder, lock);
      const suite = distro.suite.isDefault ? '' : `-${distro.suite.name}`;
      out.push({ image, strategy, files, kit: kits[strategy], dir: `${image.name}/${strategy}${suite}` });
    }
  }
  return out;
}

/** Everything a context's build sends: the image's own files and the shared kit. */
export function contextFiles(ctx: RenderedContext): RenderedFiles {
  return new Map([...ctx.files, ...ctx.kit]);
}
