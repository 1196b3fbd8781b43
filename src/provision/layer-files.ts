import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { filterTar, type TarEntryInfo } from '../archive/tar/filter-tar.js';
import type { LayerFile } from '../image/image.js';

/** Every entry of a layer file (an uncompressed tar, as the image model keeps layers), in order. */
export async function listLayer(layer: LayerFile): Promise<TarEntryInfo[]> {
  const entries: TarEntryInfo[] = [];
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  await pipeline(
    createReadStream(layer.file),
    filterTar((entry) => {
      entries.push(entry);
      return false;
    }),
    discard,
  );
  return entries;
}
