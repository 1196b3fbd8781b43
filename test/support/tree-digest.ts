import { createHash } from 'node:crypto';
import { readdir, readFile, readlink, lstat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Every entry under `dir` (relative path → type, permission bits, and the sha256 of a file's content or a
 * link's target), for comparing two trees; modification times are left out.
 */
export async function treeDigest(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, file);
    const mode = ((await lstat(file)).mode & 0o7777).toString(8);
    if (entry.isSymbolicLink()) out.set(rel, `link ${mode} ${await readlink(file)}`);
    else if (entry.isFile())
      out.set(
        rel,
        `file ${mode} ${createHash('sha256')
          .update(await readFile(file))
          .digest('hex')}`,
      );
    else out.set(rel, `${entry.isDirectory() ? 'dir' : 'other'} ${mode}`);
  }
  return out;
}

/** Paths whose entries differ between two digests (present in one only, or different), sorted. */
export function treeDifferences(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const paths = new Set([...a.keys(), ...b.keys()]);
  return [...paths].filter((p) => a.get(p) !== b.get(p)).sort();
}
