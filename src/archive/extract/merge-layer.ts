import fs from 'node:fs/promises';
import path from 'node:path';
import { insideRoot } from '../tar/entry-path.js';
import type { StagedLayer } from './extract-layer.js';
import { isRealDirectory, lstatOrUndefined } from './fs-checks.js';

export interface MergeResult {
  /** Paths (or opaque directories' children) the layer's whiteouts removed. */
  removed: number;
  /** Paths the layer put in place whole, replacing whatever was there (directories merged into are not). */
  moved: Array<{ rel: string; dir: boolean }>;
}

/**
 * Applies a staged layer onto `rootfs` (a real path) as overlayfs would: whiteouts and opaque directories
 * first, then its entries, where a directory over a directory merges and anything else replaces. Entries are
 * renamed in (same filesystem, so cheap); `consume: false` copies instead, for a layer the image uses again.
 */
export async function mergeLayer(layer: StagedLayer, rootfs: string, consume: boolean): Promise<MergeResult> {
  let removed = 0;
  for (const rel of layer.opaqueDirs) {
    const abs = insideRoot(rootfs, rel);
    if (!isRealDirectory(abs)) continue;
    for (const name of await fs.readdir(abs)) {
      await fs.rm(path.join(abs, name), { recursive: true, force: true });
      removed++;
    }
  }
  for (const rel of layer.whiteouts) {
    const abs = insideRoot(rootfs, rel);
    if (!isRealDirectory(path.dirname(abs)) || !lstatOrUndefined(abs)) continue;
    await fs.rm(abs, { recursive: true, force: true });
    removed++;
  }
  const moved: MergeResult['moved'] = [];
  await moveTree(layer.dir, rootfs, '', consume, moved);
  return { removed, moved };
}

async function moveTree(
  from: string,
  to: string,
  rel: string,
  consume: boolean,
  moved: MergeResult['moved'],
): Promise<void> {
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    const existing = lstatOrUndefined(dst);
    if (entry.isDirectory() && existing?.isDirectory()) {
      await moveTree(src, dst, childRel, consume, moved);
      continue;
    }
    if (existing) await fs.rm(dst, { recursive: true, force: true });
    if (consume) await fs.rename(src, dst);
    else await fs.cp(src, dst, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    moved.push({ rel: childRel, dir: entry.isDirectory() });
  }
}
