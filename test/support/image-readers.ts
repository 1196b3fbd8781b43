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
  /**
   * What it does with a layer's entries: `extracted` to disk (every unsafe entry refused); `named` read as paths
   * (names and hardlink targets must be normal paths, whiteouts as the spec defines them; symlinks and devices
   * are data in a filesystem image); `copied` as checked blobs, byte for byte, never unpacked (the reader
   * that later unpacks them refuses).
   */
  entries: 'extracted' | 'named' | 'copied';
}

const ALL = ['legacy', 'oci', 'docker25'] as const;

/**
 * Every feature that reads a `docker save` stream: extraction (extract, the prefix cache, the audit), the image
 * on disk (provision, the arm64 config fix-up), the ext4 tree, the OCI layout and the bundle. The hostile-archive
 * and broken-stream corpora run against each.
 */
export const SAVE_READERS: readonly SaveReader[] = [
  {
    name: 'extraction',
    formats: ALL,
    entries: 'extracted',
    read: (save, dir) => extractImage(save, { target: path.join(dir, 'out') }),
  },
  { name: 'image on disk', formats: ALL, entries: 'copied', read: (save, dir) => readImageToDisk(save, dir) },
  { name: 'ext4 tree', formats: ALL, entries: 'named', read: (save) => readImageTree(save) },
  {
    name: 'OCI layout',
    formats: ALL,
    entries: 'copied',
    read: (save, dir) => writeOciLayout(save, path.join(dir, 'oci'), 'x:1'),
  },
  {
    name: 'bundle',
    formats: ['legacy', 'docker25'],
    entries: 'copied',
    read: (save, dir) => writeBundle(save, path.join(dir, 'b.tar')),
  },
];
