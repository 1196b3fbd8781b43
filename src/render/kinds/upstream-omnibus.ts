import type { TemplateSet } from '../handlebars-env.js';
import type { RenderContext } from '../render-context.js';
import { dockerfileCandidates, type RenderedFiles } from '../rendered-files.js';

/** An upstream Omnibus project (chefdk) built from its release tarball with install_dir overridden. */
export async function renderUpstreamOmnibus(ctx: RenderContext, templates: TemplateSet): Promise<RenderedFiles> {
  const files: RenderedFiles = new Map();
  files.set('Dockerfile', (await templates.first(dockerfileCandidates('source/upstream-omnibus', ctx.image.name)))(ctx));
  files.set('omnibus_overrides.rb', (await templates.get('source/upstream-omnibus/omnibus_overrides.rb.hbs'))(ctx));
  return files;
}
