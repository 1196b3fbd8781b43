import type { LfsSource } from '../../manifest/schema.js';
import type { TemplateSet } from '../handlebars-env.js';
import type { RenderContext } from '../render-context.js';
import { dockerfileCandidates, type RenderedFiles } from '../rendered-files.js';
import { archivePaths, fetchPlan } from '../source-fetch.js';

/** Where LFS chapter 5 keeps its sources ($LFS/sources); `$LFS` is set by the Dockerfile. */
const SOURCES_DIR = '$LFS/sources';

/** The toolchain: one multi-stage Dockerfile running the LFS chapter-5 stages. */
export async function renderLfs(ctx: RenderContext, source: LfsSource, templates: TemplateSet): Promise<RenderedFiles> {
  const fetch = fetchPlan(SOURCES_DIR, source.sources);
  const dockerfile = await templates.first(dockerfileCandidates('source/lfs', ctx.image.name));
  return new Map([['Dockerfile', dockerfile({ ...ctx, fetch, archives: archivePaths(fetch) })]]);
}
