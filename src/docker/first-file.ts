import type { Readable } from 'node:stream';
import tarStream from 'tar-stream';

/** Bigger files are not what a container's readFile is for (it reads `/etc/passwd`, `/etc/os-release`). */
const MAX_READ_BYTES = 4 * 1024 * 1024;

/** The first regular file of a tar stream (a getArchive of a file holds just that file); undefined for others. */
export async function firstFile(archive: Readable): Promise<Buffer | undefined> {
  const extract = tarStream.extract();
  archive.pipe(extract);
  try {
    for await (const entry of extract) {
      if (entry.header.type !== 'file' || (entry.header.size ?? 0) > MAX_READ_BYTES) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of entry) {
        if (!Buffer.isBuffer(chunk)) throw new TypeError('a tar entry gave something other than bytes');
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    }
    return undefined;
  } finally {
    archive.unpipe(extract);
    archive.destroy();
    extract.destroy();
  }
}
