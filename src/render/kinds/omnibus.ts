import type { OmnibusSoftware } from '../../manifest/schema.js';
import type { TemplateSet } from '../handlebars-env.js';
import type { RenderContext } from '../render-context.js';
import { dockerfileCandidates, type RenderedFiles } from '../rendered-files.js';

interface OmnibusContext {
  kind: 'omnibus';
  project: string;
  software: OmnibusSoftware[];
}

/** An Omnibus project of ours: Dockerfile plus omnibus.rb, Gemfile, the project and one file per software. */
export async function renderOmnibus(ctx: RenderContext, templates: TemplateSet): Promise<RenderedFiles> {
  const source = ctx.source as OmnibusContext;
  const files: RenderedFiles = new Map();
  files.set('Dockerfile', (await templates.first(dockerfileCandidates('source/omnibus', ctx.image.name)))(ctx));
  files.set('omnibus/omnibus.rb', (await templates.get('source/omnibus/omnibus.rb.hbs'))(ctx));
  files.set('omnibus/Gemfile', (await templates.get('source/omnibus/Gemfile.hbs'))(ctx));
  files.set(`omnibus/config/projects/${source.project}.rb`, (await templates.get('source/omnibus/project.rb.hbs'))(ctx));
  const software = await templates.get('source/omnibus/software.rb.hbs');
  for (const sw of source.software) {
    files.set(`omnibus/config/software/${sw.name}.rb`, software({ ...ctx, software: sw }));
  }
  files.set('omnibus/config/software/dappdeps-bin.rb', (await templates.get('source/omnibus/dappdeps-bin.rb.hbs'))(ctx));
  return files;
}
