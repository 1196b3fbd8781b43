import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readImage } from '../image/read-image.js';
import { MEDIA_TYPES } from '../image/save-format.js';
import { DappdepsError } from '../errors.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/**
 * Writes the image of a one-image `docker save` stream (any layout; every member checked as readImage does)
 * into `dir` as an OCI image layout (oci-layout, index.json, blobs/sha256/…), streaming: each layer goes
 * straight to a blob named by its uncompressed digest, then the config, the manifest and the index are
 * written. `refName` becomes the index's `org.opencontainers.image.ref.name`.
 */
export async function writeOciLayout(save: NodeJS.ReadableStream, dir: string, refName: string): Promise<Descriptor> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await fs.mkdir(blobs, { recursive: true });
  const image = await readImage<{ file: string; size: number }>(save, {
    take: async (tar, { index }) => {
      const file = path.join(blobs, `.incoming-${index}`);
      await pipeline(tar, createWriteStream(file, { flags: 'wx' }));
      return { file, size: (await fs.stat(file)).size };
    },
    discard: ({ file }) => fs.rm(file, { force: true }),
  });
  if (!image.config) throw new DappdepsError('the save archive names no image config');
  const layers: Descriptor[] = [];
  for (const layer of image.layers) {
    const blob = path.join(blobs, layer.diffId);
    // A layer the manifest names twice was staged once: the first rename moved it.
    if (layer.value.file !== blob) await fs.rename(layer.value.file, blob).catch(() => fs.access(blob));
    layers.push({ mediaType: MEDIA_TYPES.layer, digest: `sha256:${layer.diffId}`, size: layer.value.size });
  }
  const config = { mediaType: MEDIA_TYPES.config, ...(await writeBlob(blobs, image.config.bytes)) };
  const manifest = { schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config, layers };
  const top: Descriptor = { mediaType: MEDIA_TYPES.manifest, ...(await writeBlob(blobs, JSON.stringify(manifest))) };
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': refName } }],
  };
  await fs.writeFile(path.join(dir, 'index.json'), JSON.stringify(index));
  await fs.writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return top;
}

async function writeBlob(blobs: string, content: string | Buffer): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  const hex = createHash('sha256').update(bytes).digest('hex');
  await fs.writeFile(path.join(blobs, hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}
