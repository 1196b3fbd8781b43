import type { Builder } from '../docker/types.js';
import { DappdepsError } from '../errors.js';
import type { Distro, ImageModel, Strategy } from '../manifest/model.js';
import type { DistroLock } from '../lock/lock-file.js';
import { lockLocation } from '../lock/lock-location.js';
import type { TemplateSet } from './handlebars-env.js';
import { renderBinary } from './kinds/binary.js';
import { renderLfs } from './kinds/lfs.js';
import { renderOmnibus } from './kinds/omnibus.js';
import { renderUpstreamOmnibus } from './kinds/upstream-omnibus.js';
import { renderContext } from './render-context.js';
import type { RenderedFiles } from './rendered-files.js';

/** Render one image's build context for one strategy. */
export async function renderImage(
  distro: Distro,
  templates: TemplateSet,
  image: ImageModel,
  strategy: Strategy,
  builder: Builder = 'classic',
  lock?: DistroLock,
): Promise<RenderedFiles> {
  const ctx = renderContext(distro, image, strategy, builder);
  if (strategy === 'binary') {
    if (!ctx.binary) throw new DappdepsError(`${image.name} has no binary strategy`);
    return renderBinary(ctx, templates, lock, lockLocation(distro));
  }
  const { source } = ctx;
  if (!source) throw new DappdepsError(`${image.name} has no source strategy`);
  switch (source.kind) {
    case 'lfs':
      return renderLfs(ctx, source, templates);
    case 'omnibus':
      return renderOmnibus(ctx, source, templates);
    case 'upstream-omnibus':
      return renderUpstreamOmnibus(ctx, source, templates);
  }
}
