import fs from 'node:fs/promises';
import path from 'node:path';
import { type OverlayTarget, applyLayer } from '../overlay/overlay.js';
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
 * Applies a staged layer onto `rootfs` (a real path) with the overlay walker: whiteouts and opaque directories
 * first, then its entries, where a directory over a directory merges and anything else replaces. Entries are
 * renamed in (same filesystem, so cheap); `consume: false` copies instead, for a layer the image uses again.
 */
export async function mergeLayer(layer: StagedLayer, rootfs: string, consume: boolean): Promise<MergeResult> {
  const result: MergeResult = { removed: 0, moved: [] };
  await applyLayer(diskTarget(rootfs, consume, result), {
    opaqueDirs: layer.opaqueDirs,
    whiteouts: layer.whiteouts,
    entries: stagedEntries(layer.dir, rootfs, ''),
  });
  return result;
}

/** The root folder as an overlay target; the entries are paths in the staged layer's folder. */
function diskTarget(rootfs: string, consume: boolean, result: MergeResult): OverlayTarget<string> {
  return {
    clearChildren: async (rel) => {
      const abs = insideRoot(rootfs, rel);
      if (!isRealDirectory(abs)) return;
      for (const name of await fs.readdir(abs)) {
        await fs.rm(path.join(abs, name), { recursive: true, force: true });
        result.removed++;
      }
    },
    remove: async (rel) => {
      const abs = insideRoot(rootfs, rel);
      if (!isRealDirectory(path.dirname(abs)) || !lstatOrUndefined(abs)) return;
      await fs.rm(abs, { recursive: true, force: true });
      result.removed++;
    },
    put: async (rel, src, isDirectory) => {
      const dst = path.join(rootfs, rel);
      const existing = lstatOrUndefined(dst);
      if (isDirectory && existing?.isDirectory()) return; // merged: its entries come next
      if (existing) await fs.rm(dst, { recursive: true, force: true });
      if (consume) await fs.rename(src, dst);
      else await fs.cp(src, dst, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      result.moved.push({ rel, dir: isDirectory });
    },
  };
}

/** The staged layer's entries, parents first; below a directory only where it merges into one already there. */
async function* stagedEntries(from: string, rootfs: string, rel: string): AsyncGenerator<[string, string, boolean]> {
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    const merges = entry.isDirectory() && lstatOrUndefined(path.join(rootfs, childRel))?.isDirectory() === true;
    yield [childRel, src, entry.isDirectory()];
    if (merges) yield* stagedEntries(src, rootfs, childRel);
  }
}
