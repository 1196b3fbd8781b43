import path from 'node:path';
import type { Readable } from 'node:stream';
import { extractImage } from '../../src/image/extract-image.js';
import { readImageToDisk } from '../../src/image/image.js';
import { writeBundle } from '../../src/publish/bundle.js';
import { readImageTree } from '../../src/publish/ext4/image-tree.js';
import { writeOciLayout } from '../../src/publish/oci-layout.js';

/** One reader of `docker save` streams in src/, run the way its feature runs it, writing under `dir`. */
export interface SaveReader {
  name: string;
  read(save: Readable, dir: string): Promise<unknown>;
  /** Archive layouts the feature reads: a bundle is a `docker save` of the engine, which always has manifest.json. */
  formats: ReadonlyArray<'legacy' | 'oci' | 'docker25'>;
}

const ALL = ['legacy', 'oci', 'docker25'] as const;

/**
 * Every feature that reads a `docker save` stream: extraction (extract, the prefix cache, the audit), the image
 * on disk (provision, the arm64 config fix-up), the ext4 tree, the OCI layout and the bundle. The hostile-archive
 * and broken-stream corpora run against each.
 */
export const SAVE_READERS: readonly SaveReader[] = [
  { name: 'extraction', formats: ALL, read: (save, dir) => extractImage(save, { target: path.join(dir, 'out') }) },
  { name: 'image on disk', formats: ALL, read: (save, dir) => readImageToDisk(save, dir) },
  { name: 'ext4 tree', formats: ALL, read: (save) => readImageTree(save) },
  { name: 'OCI layout', formats: ALL, read: (save, dir) => writeOciLayout(save, path.join(dir, 'oci'), 'x:1') },
  { name: 'bundle', formats: ['legacy', 'docker25'], read: (save, dir) => writeBundle(save, path.join(dir, 'b.tar')) },
];
