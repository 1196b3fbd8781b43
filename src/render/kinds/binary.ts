import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TemplateSet } from '../handlebars-env.js';
import type { RenderContext } from '../render-context.js';
import { dockerfileCandidates, type RenderedFiles } from '../rendered-files.js';

/**
 * The binary strategy: a Dockerfile, the sealing configuration, and the sealing scripts copied verbatim
 * into `seal/` (a templates folder without sealing, like a test fixture's, has neither).
 */
export async function renderBinary(ctx: RenderContext, templates: TemplateSet): Promise<RenderedFiles> {
  const files: RenderedFiles = new Map();
  files.set('Dockerfile', (await templates.first(dockerfileCandidates('binary', ctx.image.name)))(ctx));
  const conf = await templates.optional('binary/seal.conf.hbs');
  if (conf) files.set('seal.conf', conf(ctx));
  const sealDir = path.join(templates.dir, 'binary', 'seal');
  const sealFiles = await readdir(sealDir).catch(() => [] as string[]);
  for (const file of sealFiles.sort()) files.set(`seal/${file}`, await templates.raw(`binary/seal/${file}`));
  return files;
}
