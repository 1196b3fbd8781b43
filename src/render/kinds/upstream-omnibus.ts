import type { UpstreamOmnibusSource } from '../../manifest/schema.js';
import type { TemplateSet } from '../handlebars-env.js';
import type { RenderContext } from '../render-context.js';
import { dockerfileCandidates, type RenderedFiles } from '../rendered-files.js';
import { archivePaths, fetchPlan } from '../source-fetch.js';

const SOURCES_DIR = '/sources';

/** An upstream Omnibus project (chefdk) built from its release tarball with install_dir overridden. */
export async function renderUpstreamOmnibus(
  ctx: RenderContext,
  source: UpstreamOmnibusSource,
  templates: TemplateSet,
): Promise<RenderedFiles> {
  const fetch = fetchPlan(SOURCES_DIR, [source.archive]);
  const upstream = {
    ...ctx,
    fetch,
    archive: archivePaths(fetch)[source.archive.name],
    // A sed script; the paths' pattern admits no '|' or '&', and '.' is the only BRE metacharacter it admits.
    rewrite: `s|${source.defaultInstallDir.replace(/\./g, '\\.')}|${ctx.image.prefix}|g`,
  };
  const files: RenderedFiles = new Map();
  files.set(
    'Dockerfile',
    (await templates.first(dockerfileCandidates('source/upstream-omnibus', ctx.image.name)))(upstream),
  );
  files.set(
    'omnibus_overrides.rb',
    (await templates.get('source/upstream-omnibus/omnibus_overrides.rb.hbs'))(upstream),
  );
  return files;
}
