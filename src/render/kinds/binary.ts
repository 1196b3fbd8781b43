import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TemplateSet } from '../handlebars-env.js';
import type { RenderContext } from '../render-context.js';
import { dockerfileCandidates, type RenderedFiles } from '../rendered-files.js';

/**
 * The binary strategy: a Dockerfile and the sealing configuration (a templates folder without sealing, like
 * a test fixture's, has no configuration).
 */
export async function renderBinary(ctx: RenderContext, templates: TemplateSet): Promise<RenderedFiles> {
  const files: RenderedFiles = new Map();
  files.set('Dockerfile', (await templates.first(dockerfileCandidates('binary', ctx.image.name)))(ctx));
  const conf = await templates.optional('binary/seal.conf.hbs');
  if (conf) files.set('seal.conf', conf(ctx));
  return files;
}

/**
 * The seal kit: the sealing scripts, the same for every image, sent verbatim into each binary build context
 * as `seal/` at build time (and hashed with it) rather than copied into every image's rendered folder.
 */
export async function sealKit(templates: TemplateSet): Promise<RenderedFiles> {
  const kit: RenderedFiles = new Map();
  const sealFiles = await readdir(path.join(templates.dir, 'binary', 'seal')).catch(() => [] as string[]);
  for (const file of sealFiles.sort()) kit.set(`seal/${file}`, await templates.raw(`binary/seal/${file}`));
  return kit;
}
