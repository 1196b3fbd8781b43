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

/** Render every strategy of the given images (all by default), in memory. */
export async function renderDistro(distro: Distro, images: readonly ImageModel[] = distro.images): Promise<RenderedContext[]> {
  const templates = await TemplateSet.open(distro.templatesDir);
  const out: RenderedContext[] = [];
  for (const image of images) {
    for (const strategy of strategies) {
      if (!hasStrategy(image, strategy)) continue;
      const files = await renderImage(distro, templates, image, strategy);
      out.push({ image, strategy, files, dir: `${image.name}/${strategy}` });
    }
  }
  return out;
}
