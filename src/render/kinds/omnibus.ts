import type { OmnibusSource } from '../../manifest/schema.js';
import type { TemplateSet } from '../handlebars-env.js';
import type { RenderContext } from '../render-context.js';
import { dockerfileCandidates, type RenderedFiles } from '../rendered-files.js';
import { fetchPlan } from '../source-fetch.js';

/**
 * Omnibus' download cache (omnibus.rb `cache_dir`). The Dockerfile fills it with checksum-verified
 * sources; Omnibus then finds each file with a matching checksum and does not download it again.
 */
export const OMNIBUS_CACHE_DIR = '/var/cache/omnibus/cache';

/** An Omnibus project of ours: Dockerfile plus omnibus.rb, Gemfile, the project and one file per software. */
export async function renderOmnibus(
  ctx: RenderContext,
  source: OmnibusSource,
  templates: TemplateSet,
): Promise<RenderedFiles> {
  const omnibus = { ...ctx, cacheDir: OMNIBUS_CACHE_DIR, fetch: fetchPlan(OMNIBUS_CACHE_DIR, source.software) };
  const files: RenderedFiles = new Map();
  files.set('Dockerfile', (await templates.first(dockerfileCandidates('source/omnibus', ctx.image.name)))(omnibus));
  files.set('omnibus/omnibus.rb', (await templates.get('source/omnibus/omnibus.rb.hbs'))(omnibus));
  files.set('omnibus/Gemfile', (await templates.get('source/omnibus/Gemfile.hbs'))(omnibus));
  files.set(
    `omnibus/config/projects/${source.project}.rb`,
    (await templates.get('source/omnibus/project.rb.hbs'))(omnibus),
  );
  const software = await templates.get('source/omnibus/software.rb.hbs');
  for (const sw of source.software) {
    files.set(`omnibus/config/software/${sw.name}.rb`, software({ ...omnibus, software: sw }));
  }
  files.set(
    'omnibus/config/software/dappdeps-bin.rb',
    (await templates.get('source/omnibus/dappdeps-bin.rb.hbs'))(omnibus),
  );
  return files;
}
