import { strategies, hasStrategy, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';
import { TemplateSet } from './handlebars-env.js';
import { renderImage } from './render-image.js';
import type { RenderedFiles } from './rendered-files.js';

export interface RenderedContext {
  image: ImageModel;
  strategy: Strategy;
  files: RenderedFiles;
  /** Folder of this context relative to the images folder: `<name>/<strategy>`. */
  dir: string;
}

/** Render the given images (all by default) for the given strategies (all by default), in memory. */
export async function renderDistro(
  distro: Distro,
  images: readonly ImageModel[] = distro.images,
  only: readonly Strategy[] = strategies,
): Promise<RenderedContext[]> {
  const templates = await TemplateSet.open(distro.templatesDir);
  const out: RenderedContext[] = [];
  for (const image of images) {
    for (const strategy of only) {
      if (!hasStrategy(image, strategy)) continue;
      const files = await renderImage(distro, templates, image, strategy);
      out.push({ image, strategy, files, dir: `${image.name}/${strategy}` });
    }
  }
  return out;
}
