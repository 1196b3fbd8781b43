import type { TemplateSet } from '../handlebars-env.js';
import type { RenderContext } from '../render-context.js';
import { dockerfileCandidates, type RenderedFiles } from '../rendered-files.js';

/** The toolchain: one multi-stage Dockerfile running the LFS chapter-5 stages. */
export async function renderLfs(ctx: RenderContext, templates: TemplateSet): Promise<RenderedFiles> {
  const dockerfile = await templates.first(dockerfileCandidates('source/lfs', ctx.image.name));
  return new Map([['Dockerfile', dockerfile(ctx)]]);
}
