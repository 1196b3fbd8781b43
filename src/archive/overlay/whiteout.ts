import { UnsafeArchiveError } from '../../errors.js';

/** What a whiteout marker entry says about the layers below it. */
export type Whiteout =
  | { kind: 'delete'; path: string } // `.wh.<name>`: `<name>` is gone
  | { kind: 'opaque'; dir: string }; // `.wh..wh..opq`: the lower contents of `dir` are gone

const PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * The whiteout a normal-form entry path stands for, or undefined for an ordinary entry. Refuses markers
 * the OCI layer spec does not define (`.wh.`, `.wh..`, `.wh...`, `.wh..wh.<other>`) and entries below a
 * marker, rather than guessing what they mean.
 */
export function parseWhiteout(rel: string, entry: string): Whiteout | undefined {
  const segments = rel.split('/');
  const base = segments.pop() ?? '';
  if (segments.some((s) => s.startsWith(PREFIX))) throw new UnsafeArchiveError(entry, 'entry below a whiteout marker');
  if (!base.startsWith(PREFIX)) return undefined;
  const dir = segments.join('/');
  if (base === OPAQUE) return { kind: 'opaque', dir };
  const hidden = base.slice(PREFIX.length);
  if (hidden.startsWith(PREFIX)) throw new UnsafeArchiveError(entry, 'unknown whiteout meta-marker');
  if (hidden === '' || hidden === '.' || hidden === '..') throw new UnsafeArchiveError(entry, 'whiteout names no file');
  return { kind: 'delete', path: dir === '' ? hidden : `${dir}/${hidden}` };
}
