import fs from 'node:fs';
import { insideRoot } from '../tar/entry-path.js';
import { isRealDirectory } from './fs-checks.js';
import type { DirMeta } from './layer-policy.js';
import type { PathTree } from '../overlay/path-tree.js';

/**
 * Gives directories their archive modes and mtimes once every layer is in: extraction kept them writable, and
 * adding entries changed their mtimes. Deepest first, so a parent's mode cannot lock out its children. The
 * modes are whole (sticky, and setgid unless the ModePolicy dropped it): a 1777 directory stays 1777.
 * Synchronous, as the checks: a few cheap calls per directory.
 */
export function restoreDirectories(rootfs: string, dirs: PathTree<DirMeta>): void {
  for (const [rel, meta] of [...dirs.entries()].reverse()) {
    const abs = insideRoot(rootfs, rel);
    if (!isRealDirectory(abs)) continue; // a later entry of the same layer replaced it
    fs.utimesSync(abs, meta.mtime, meta.mtime);
    fs.chmodSync(abs, meta.mode);
  }
}
