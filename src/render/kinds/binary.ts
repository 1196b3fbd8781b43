import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { labels } from '../../labels.js';
import { imageLockText, type DistroLock } from '../../lock/lock-file.js';
import { lockError, type LockLocation } from '../../lock/lock-location.js';
import type { TemplateSet } from '../handlebars-env.js';
import type { RenderContext } from '../render-context.js';
import { dockerfileCandidates, type RenderedFiles } from '../rendered-files.js';

/** Where a sealed prefix holds its SPDX document (written by the seal kit's sbom.sh). */
export const SBOM_IN_PREFIX = 'share/dappdeps/sbom.spdx.json';

/**
 * The binary strategy: a Dockerfile, the sealing configuration and the image's part of the lock (a templates
 * folder without sealing, like a test fixture's, has neither).
 */
export async function renderBinary(
  ctx: RenderContext,
  templates: TemplateSet,
  lock: DistroLock | undefined,
  where: LockLocation,
): Promise<RenderedFiles> {
  const files: RenderedFiles = new Map();
  const conf = await templates.optional('binary/seal.conf.hbs');
  const dockerfile = await templates.first(dockerfileCandidates('binary', ctx.image.name));
  if (!conf) {
    files.set('Dockerfile', dockerfile(ctx));
    return files;
  }
  // A sealed image is built from the lock's exact packages; its lines are part of the context (and its hash).
  if (!lock) throw lockError(where, `the distro has no ${where.file}: sealed binary images are built from it`);
  if (!lock.images[ctx.image.name]) throw lockError(where, `${where.file} has no entry for ${ctx.image.name}`);
  const sealed = {
    ...ctx,
    sourceDateEpoch: lock.sourceDateEpoch,
    // The prefix and its parent folders with normalised times (stage-output.sh): copied whole, so the layer's
    // folders are not made by COPY at build time.
    stagedRoot: '/dappdeps-out',
    labels: [
      ...ctx.labels,
      { key: labels.sbom, value: `${ctx.image.prefix}/${SBOM_IN_PREFIX}` },
      { key: labels.sourceDateEpoch, value: String(lock.sourceDateEpoch) },
    ],
  };
  files.set('Dockerfile', dockerfile(sealed));
  files.set('seal.conf', conf(sealed));
  files.set('apt.lock', imageLockText(lock, ctx.image.name, where.file));
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
