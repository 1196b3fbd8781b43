import { isWithin } from '../archive/tar/entry-path.js';
import { entrySubject } from './residue.js';

/**
 * Package managers' download caches: the package lists an `apt: update_cache=yes` fetches (about 33 MB for
 * Debian's main on top of what the image has), apt's binary caches (78 MB) and downloaded .deb files, and
 * apk's, dnf's and yum's equivalents. A Dockerfile removes them in the step that made them (`rm -rf
 * /var/lib/apt/lists/*`); a provisioned image leaves them as IMAGE had them, unless asked to keep them.
 */
export const packageCacheDirs: readonly string[] = [
  'var/lib/apt/lists',
  'var/cache/apt',
  'var/cache/apk',
  'var/cache/dnf',
  'var/cache/yum',
];

/**
 * Whether a layer entry (normal form, relative to the root) is at or under a package cache folder. A whiteout
 * counts by the path it hides, so the folders end up exactly as in IMAGE: neither grown nor emptied.
 */
export function isPackageCache(rel: string): boolean {
  const subject = entrySubject(rel);
  return packageCacheDirs.some((dir) => isWithin(subject, dir));
}
