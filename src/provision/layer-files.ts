import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { filterTar, type TarDecision, type TarEntryInfo } from '../archive/tar/filter-tar.js';
import type { LayerFile } from './saved-image.js';

function openLayer(layer: LayerFile): Readable {
  const raw = createReadStream(layer.file);
  return layer.gzip ? raw.pipe(createGunzip()) : raw;
}

/** Every entry of a layer file, in order. */
export async function listLayer(layer: LayerFile): Promise<TarEntryInfo[]> {
  const entries: TarEntryInfo[] = [];
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  await pipeline(
    openLayer(layer),
    filterTar((entry) => {
      entries.push(entry);
      return false;
    }),
    discard,
  );
  return entries;
}

/** A layer file holding the entries `keep` accepts, uncompressed; resolves with its digest (the diff id). */
export async function writeFilteredLayer(layer: LayerFile, keep: TarDecision, out: string): Promise<string> {
  const hash = createHash('sha256');
  const digest = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(openLayer(layer), filterTar(keep), digest, createWriteStream(out));
  return `sha256:${hash.digest('hex')}`;
}
