import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import type { Image } from './image.js';
import { MANIFEST_JSON } from './save-format.js';

/**
 * The image as a docker-archive (what `docker load` reads: the legacy layout), streamed from disk one layer
 * after the other. Untagged: the caller tags the image once the engine holds it (see loadImage). The manifest
 * names every layer; the lowest `held` are left out of the archive, for an engine that already holds them
 * (Docker reads a layer's file only when it lacks that layer).
 */
export function writeImage(image: Image, held = 0): Readable {
  const pack = tarStream.pack();
  const layers = image.layers.map((_, i) => `layer-${i}.tar`);
  const manifest = JSON.stringify([{ Config: 'config.json', RepoTags: null, Layers: layers }]);
  const write = async (): Promise<void> => {
    pack.entry({ name: 'config.json', mode: 0o644 }, image.configBytes);
    for (const [i, layer] of image.layers.entries()) {
      if (i < held) continue;
      const { size } = await stat(layer.file);
      const entry = pack.entry({ name: `layer-${i}.tar`, size, mode: 0o644 });
      await pipeline(createReadStream(layer.file), entry);
    }
    pack.entry({ name: MANIFEST_JSON, mode: 0o644 }, manifest);
    pack.finalize();
  };
  write().catch((error: unknown) => pack.destroy(error as Error));
  // tar-stream's pack is a streamx stream; dockerode and pipeline() want a Node stream.
  return Readable.from(pack);
}
