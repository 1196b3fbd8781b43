import path from 'node:path';
import { UnsafeArchiveError } from '../../errors.js';

/**
 * The target to write for symlink `rel` (normal form, relative to the image root). Absolute targets mean
 * "from the image root", so they are rewritten relative to the link's directory and stay right wherever the
 * tree is copied. Relative targets that climb above the root are refused.
 *
 * The result is always in normal form (leading `..` only, then names). That is what keeps every link in the
 * tree: following it climbs only through real directories (entries are never written below a symlink) before
 * descending, and each symlink met while descending is itself such a link. A `..` after a name, in contrast,
 * could climb out of a symlinked directory, so `x/../y` is normalised, not kept.
 */
export function symlinkTarget(rel: string, linkname: string, entry: string): string {
  if (linkname === '') throw new UnsafeArchiveError(entry, 'symlink with an empty target');
  const dir = path.posix.dirname(rel);
  const fromRoot = linkname.startsWith('/')
    ? path.posix.normalize(linkname).slice(1) // `/..` is `/` inside the image, as the kernel resolves it
    : path.posix.normalize(path.posix.join(dir, linkname));
  if (fromRoot === '..' || fromRoot.startsWith('../')) {
    throw new UnsafeArchiveError(entry, `symlink target ${JSON.stringify(linkname)} leaves the root`);
  }
  return path.posix.relative(`/${dir}`, `/${fromRoot}`) || '.';
}
