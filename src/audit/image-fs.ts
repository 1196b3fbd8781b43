/**
 * The file system a dappdeps prefix sees at run time, assembled from local directories: each root maps one
 * in-image prefix (`/.dapp/deps/git/0.2.1`) to the local directory holding that image's extracted files.
 * Paths resolve physically, component by component, following symlinks the way the kernel would, but
 * only inside the roots: anything else in the image (`/lib`, `/usr`) belongs to the unknown target image,
 * so a path that reaches it is reported as outside and the host's own files are never consulted.
 */
import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { DappdepsError } from '../errors.js';

export interface ImageRoot {
  /** In-image prefix, e.g. `/.dapp/deps/git/0.2.1`. */
  prefix: string;
  /** Local directory holding the image's file system: `dir + prefix` exists. */
  dir: string;
}

export type Resolution =
  | { kind: 'found'; path: string; local: string; type: 'file' | 'dir' | 'other' }
  /** A component does not exist (or is not a directory) inside a root. */
  | { kind: 'missing'; path: string }
  /** The path leaves the roots; `path` is where it went. */
  | { kind: 'outside'; path: string }
  /** Too many symlinks (ELOOP). */
  | { kind: 'loop'; path: string };

/** Linux's limit on symlinks followed in one lookup. */
const MAX_SYMLINKS = 40;

function isWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export class ImageFs {
  private readonly roots: readonly ImageRoot[];
  private readonly cache = new Map<string, Promise<Resolution>>();

  constructor(roots: readonly ImageRoot[]) {
    for (const r of roots) {
      if (
        !posix.isAbsolute(r.prefix) ||
        posix.normalize(r.prefix) !== r.prefix ||
        r.prefix === '/' ||
        r.prefix.endsWith('/')
      ) {
        throw new DappdepsError(
          `audit: prefix ${JSON.stringify(r.prefix)} must be an absolute, normalized path below /`,
        );
      }
      const clash = roots.find((o) => o !== r && isWithin(r.prefix, o.prefix));
      if (clash) throw new DappdepsError(`audit: prefix ${r.prefix} overlaps ${clash.prefix}`);
    }
    this.roots = roots;
  }

  /** The root whose prefix holds the in-image path `path`. */
  private rootOf(path: string): ImageRoot | undefined {
    return this.roots.find((r) => isWithin(path, r.prefix));
  }

  /** Resolves an absolute in-image path, following symlinks within the roots; results are cached. */
  resolve(path: string): Promise<Resolution> {
    let hit = this.cache.get(path);
    if (!hit) {
      hit = this.walk(path);
      this.cache.set(path, hit);
    }
    return hit;
  }

  private async walk(path: string): Promise<Resolution> {
    const todo = path.split('/').reverse();
    let done = '/';
    let links = 0;
    while (todo.length > 0) {
      const name = todo.pop() as string;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        // `done` has no symlinks left in it, so its parent is just its dirname.
        done = posix.dirname(done);
        continue;
      }
      const next = posix.join(done, name);
      const root = this.rootOf(next);
      const rest = () => posix.join(next, ...[...todo].reverse());
      if (!root) {
        // The ancestors of the prefixes (`/.dapp`, `/.dapp/deps`) exist as mount points in any image.
        if (this.roots.some((r) => isWithin(r.prefix, next))) {
          done = next;
          continue;
        }
        return { kind: 'outside', path: rest() };
      }
      const local = root.dir + next;
      const st = await lstat(local).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
        throw err;
      });
      if (!st) return { kind: 'missing', path: rest() };
      if (st.isSymbolicLink()) {
        if (++links > MAX_SYMLINKS) return { kind: 'loop', path: rest() };
        const target = await readlink(local);
        if (target.startsWith('/')) done = '/';
        todo.push(...target.split('/').reverse());
        continue;
      }
      if (todo.some((c) => c !== '' && c !== '.') && !st.isDirectory()) return { kind: 'missing', path: rest() };
      done = next;
    }
    const root = this.rootOf(done);
    if (!root) return { kind: 'outside', path: done };
    const st = await lstat(root.dir + done);
    return {
      kind: 'found',
      path: done,
      local: root.dir + done,
      type: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other',
    };
  }
}

/** Why `asked`, described as `what`, cannot be used; names where it went when that differs. */
export function explainResolution(what: string, asked: string, r: Exclude<Resolution, { kind: 'found' }>): string {
  const where = r.path === asked ? '' : ` (${r.path})`;
  switch (r.kind) {
    case 'outside':
      return `${what} is outside the prefixes of this image and its run-time dependencies${where}`;
    case 'missing':
      return `${what} does not exist${where}`;
    case 'loop':
      return `${what} is a symlink loop`;
  }
}
