import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';

/**
 * A docker-archive (what `docker load` reads) of one image: its config and its layer files, streamed from
 * disk one after the other. Untagged: the caller tags the image once it has checked it.
 */
export function loadArchive(config: Buffer, layerFiles: readonly string[]): Readable {
  const pack = tarStream.pack();
  const layers = layerFiles.map((_, i) => `layer-${i}.tar`);
  const manifest = JSON.stringify([{ Config: 'config.json', RepoTags: null, Layers: layers }]);
  const write = async (): Promise<void> => {
    pack.entry({ name: 'config.json', mode: 0o644 }, config);
    for (const [i, file] of layerFiles.entries()) {
      const { size } = await stat(file);
      const entry = pack.entry({ name: `layer-${i}.tar`, size, mode: 0o644 });
      await pipeline(createReadStream(file), entry);
    }
    pack.entry({ name: 'manifest.json', mode: 0o644 }, manifest);
    pack.finalize();
  };
  write().catch((error: unknown) => pack.destroy(error as Error));
  // tar-stream's pack is a streamx stream; dockerode and pipeline() want a Node stream.
  return Readable.from(pack);
}
