import { createHash } from 'node:crypto';
import { DappdepsError } from '../errors.js';
import { loadArchive } from './load-archive.js';
import type { ProvisionEngine } from './provision-engine.js';
import type { RewrittenImage } from './rewrite-image.js';

/**
 * The load phase: loads the rewritten image, checks the engine holds it with exactly the layers it was written
 * with, then tags it. An image this load made is removed again when the check or the tag fails.
 */
export async function loadResult(
  engine: ProvisionEngine,
  image: RewrittenImage,
  tag: string,
  signal?: AbortSignal,
): Promise<string> {
  const id = `sha256:${createHash('sha256').update(image.config).digest('hex')}`;
  const existed = (await engine.images.details(id)) !== undefined;
  try {
    const loaded = await engine.images.load(loadArchive(image.config, image.layerFiles), signal);
    const held = await engine.images.details(id);
    if (!held || (loaded.length > 0 && !loaded.includes(id))) {
      throw new DappdepsError(`the engine loaded ${loaded.join(', ') || 'nothing'}, not the rewritten image ${id}`);
    }
    if (held.diffIds.join() !== image.diffIds.join()) {
      throw new DappdepsError(`the loaded image ${id} does not have the layers it was written with`);
    }
    await engine.images.tag(id, tag);
  } catch (error) {
    if (!existed) await engine.images.remove(id).catch(() => undefined);
    throw error;
  }
  return id;
}
