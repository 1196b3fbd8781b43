import fs, { type Stats } from 'node:fs';

// Synchronous: these run once per directory or entry, thousands of times in a row, where a thread-pool
// round trip costs more than the call itself.

/** lstat, or undefined when nothing is there. */
export function lstatOrUndefined(abs: string): Stats | undefined {
  try {
    return fs.lstatSync(abs, { throwIfNoEntry: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Whether `abs` (below a real-path root) is a directory reached without crossing a symlink, so removing or
 * changing what is under it touches that path and nothing a link points to.
 */
export function isRealDirectory(abs: string): boolean {
  const stats = lstatOrUndefined(abs);
  return stats !== undefined && stats.isDirectory() && fs.realpathSync.native(abs) === abs;
}
