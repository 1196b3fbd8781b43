import path from 'node:path';
import { UnsafeArchiveError } from '../../errors.js';

/**
 * The path of a layer entry relative to the image root, in normal form ('' for the root itself).
 * Refuses absolute paths and `..` segments: a layer has no business naming anything above its root.
 * `entry` is the entry to blame in the error (differs from `name` when checking a hardlink's target).
 */
export function entryPath(name: string, entry = name): string {
  const stripped = name.replace(/^(\.\/)+/, '');
  if (stripped.startsWith('/')) throw new UnsafeArchiveError(entry, `absolute path ${JSON.stringify(name)}`);
  const segments = stripped.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new UnsafeArchiveError(entry, `".." segment in ${JSON.stringify(name)}`);
  return segments.join('/');
}

/** Whether normal-form `rel` is `base` or lies under it ('' is the root, above everything). */
export function isWithin(rel: string, base: string): boolean {
  return base === '' || rel === base || rel.startsWith(`${base}/`);
}

/**
 * `root` joined with normal-form `rel`, checked with path.relative (not startsWith, which would let
 * `/tmp/out-evil` pass for `/tmp/out`). Defence in depth: callers only pass paths from entryPath.
 */
export function insideRoot(root: string, rel: string): string {
  const abs = path.resolve(root, rel);
  const back = path.relative(root, abs);
  if (back === '..' || back.startsWith(`..${path.sep}`) || path.isAbsolute(back)) {
    throw new UnsafeArchiveError(rel, `resolves outside ${root}`);
  }
  return abs;
}
