import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { planLayers } from '../archive/layer-order.js';
import { readSaveMembers } from '../archive/read-save-archive.js';
import { stagedLayer } from '../archive/save-archive.js';
import { DappdepsError } from '../errors.js';

/** A layer of a saved image, as a file on disk. */
export interface LayerFile {
  file: string;
  gzip: boolean;
}

/** A `docker save` archive of one image, spread on disk: its layers as files, its config in memory. */
export interface SavedImage {
  /** The image configuration, byte for byte as the archive holds it. */
  config: Buffer;
  /** Lowest first. */
  layers: LayerFile[];
}

/**
 * Writes the layers of a `docker save` stream into `dir` as they arrive (memory stays bounded whatever their
 * size) and returns them in manifest order with the image config.
 */
export async function saveToDisk(save: NodeJS.ReadableStream, dir: string): Promise<SavedImage> {
  const archive = await readSaveMembers(save, async (layer, gzip, index): Promise<LayerFile> => {
    const file = path.join(dir, `layer-${index}`);
    await pipeline(layer, createWriteStream(file));
    return { file, gzip };
  });
  const plan = planLayers(archive);
  const config = plan.config === undefined ? undefined : archive.metadata.get(plan.config);
  if (!config) throw new DappdepsError(`the saved image's config ${plan.config ?? '(unnamed)'} is not in the archive`);
  return { config, layers: plan.layers.map((name) => stagedLayer(archive, name)) };
}
