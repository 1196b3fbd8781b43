import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { filterTar, type TarEntryInfo } from '../archive/tar/filter-tar.js';

/** Every entry of an uncompressed tar stream, in order (read to its end). */
export async function listTar(tar: NodeJS.ReadableStream): Promise<TarEntryInfo[]> {
  const entries: TarEntryInfo[] = [];
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  await pipeline(
    tar,
    filterTar((entry) => {
      entries.push(entry);
      return false;
    }),
    discard,
  );
  return entries;
}
