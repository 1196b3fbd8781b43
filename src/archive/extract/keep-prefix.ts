import { DappdepsError } from '../../errors.js';
import { entryPath, isWithin } from '../tar/entry-path.js';
import type { Keep } from './layer-policy.js';

/** ExtractOptions.only in normal form ('' keeps everything), and the matching entry filter. */
export function keepPrefix(only: string | undefined): { prefix: string; keep: Keep } {
  if (only !== undefined && (!only.startsWith('/') || only.split('/').includes('..'))) {
    throw new DappdepsError(`"only" must be an absolute path without "..", got ${JSON.stringify(only)}`);
  }
  const prefix = only === undefined ? '' : entryPath(only.slice(1));
  // Directories leading to the prefix are kept too, so the tree keeps the image's modes on the way down.
  return { prefix, keep: (rel, isDir) => isWithin(rel, prefix) || (isDir && isWithin(prefix, rel)) };
}
