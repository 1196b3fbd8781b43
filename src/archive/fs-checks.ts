import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';

/** lstat, or undefined when nothing is there. */
export async function lstatOrUndefined(abs: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Whether `abs` (below a real-path root) is a directory reached without crossing a symlink, so removing or
 * changing what is under it touches that path and nothing a link points to.
 */
export async function isRealDirectory(abs: string): Promise<boolean> {
  const stats = await lstatOrUndefined(abs);
  return stats !== undefined && stats.isDirectory() && (await fs.realpath(abs)) === abs;
}
