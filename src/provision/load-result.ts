import type { Image } from '../image/image.js';
import { loadImage } from '../image/load-image.js';
import type { ProvisionEngine } from './provision-engine.js';

/**
 * The load phase: loads the rewritten image, checks the engine holds it with exactly the layers it was written
 * with, then tags it (loadImage: an image this load made is removed again when the check or the tag fails).
 * `held`: how many of its lowest layers the engine holds already (the source's), left out where it takes that.
 */
export function loadResult(
  engine: ProvisionEngine,
  image: Image,
  opts: { tag: string; signal?: AbortSignal; held?: number },
): Promise<string> {
  const { images } = engine;
  return loadImage(
    { inspect: (ref) => images.details(ref), load: images.load, tag: images.tag, remove: images.remove },
    image,
    { ...opts, what: `the provisioned image ${opts.tag}` },
  );
}
