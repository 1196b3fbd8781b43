import type { Header as TarHeader } from 'tar-stream';
import { UnsafeArchiveError } from '../errors.js';
import { entryPath } from './entry-path.js';
import { symlinkTarget } from './symlink-target.js';
import { parseWhiteout } from './whiteout.js';

/** Decides whether an entry at a normal-form path is extracted (see ExtractOptions.only). */
export type Keep = (rel: string, isDir: boolean) => boolean;

/** Mode and mtime an explicit directory entry asks for; applied once everything is in place. */
export interface DirMeta {
  mode: number;
  mtime: Date;
}

/** A symlink, written after the rest of its layer so no entry of the layer can be written through it. */
export interface PendingSymlink {
  rel: string;
  target: string;
  mtime: Date;
  uid: number;
  gid: number;
}

/** What merging a staged layer needs besides its files. */
export interface LayerRecord {
  whiteouts: string[];
  opaqueDirs: string[];
  dirs: Array<[string, DirMeta]>;
  outside: Array<{ path: string; dir: boolean }>;
  files: number;
  bytes: number;
}

/** `replace`: an earlier entry of the layer already sits at the path and must be removed first. */
export interface Verdict {
  action: 'write' | 'replace' | 'skip';
  rel: string;
}

/**
 * The rules for the entries of one layer, in archive order: which are written, which are whiteouts, which
 * are refused. Pure bookkeeping: the caller does the writing.
 */
export class LayerPolicy {
  private readonly onDisk = new Map<string, 'dir' | 'file'>(); // what tar-fs has written so far
  private readonly symlinks = new Set<string>(); // every symlink so far, kept or not
  private readonly pending = new Map<string, PendingSymlink>();
  private readonly rec: LayerRecord = { whiteouts: [], opaqueDirs: [], dirs: [], outside: [], files: 0, bytes: 0 };

  constructor(private readonly keep: Keep) {}

  classify(header: TarHeader): Verdict {
    const name = header.name;
    const rel = entryPath(name);
    const whiteout = parseWhiteout(rel, name);
    if (whiteout?.kind === 'delete') this.rec.whiteouts.push(whiteout.path);
    if (whiteout?.kind === 'opaque') this.rec.opaqueDirs.push(whiteout.dir);
    if (whiteout) return { action: 'skip', rel };

    this.refuseBelowSymlink(rel, name);
    const type = header.type;
    const isDir = type === 'directory';
    this.symlinks.delete(rel);
    if (!this.keep(rel, isDir)) {
      if (type === 'symlink') this.symlinks.add(rel);
      this.rec.outside.push({ path: rel, dir: isDir });
      return { action: 'skip', rel };
    }
    if (rel === '' && !isDir) throw new UnsafeArchiveError(name, 'the layer root must be a directory');

    const earlier = this.onDisk.get(rel);
    this.pending.delete(rel);
    const action = earlier === undefined || (earlier === 'dir' && isDir) ? 'write' : 'replace';
    switch (type) {
      case 'directory':
        if (rel !== '') this.rec.dirs.push([rel, { mode: header.mode ?? 0o755, mtime: header.mtime ?? new Date(0) }]);
        this.onDisk.set(rel, 'dir');
        return { action, rel };
      case 'file':
        this.rec.bytes += header.size ?? 0;
        return this.file(rel, action);
      case 'link': {
        const target = entryPath(header.linkname ?? '', name);
        if (this.onDisk.get(target) !== 'file' || this.pending.has(target)) {
          throw new UnsafeArchiveError(
            name,
            `hardlink target ${JSON.stringify(header.linkname)} is not a file extracted earlier from this layer`,
          );
        }
        return this.file(rel, action);
      }
      case 'symlink':
        this.symlinks.add(rel);
        this.pending.set(rel, {
          rel,
          target: symlinkTarget(rel, header.linkname ?? '', name),
          mtime: header.mtime ?? new Date(0),
          uid: header.uid ?? 0,
          gid: header.gid ?? 0,
        });
        this.rec.files++;
        return { action: 'skip', rel };
      case 'character-device':
      case 'block-device':
      case 'fifo':
        throw new UnsafeArchiveError(name, `${type} entries are not allowed`);
      default:
        throw new UnsafeArchiveError(name, `unsupported entry type ${String(type)}`);
    }
  }

  pendingSymlinks(): Iterable<PendingSymlink> {
    return this.pending.values();
  }

  record(): LayerRecord {
    return this.rec;
  }

  private file(rel: string, action: Verdict['action']): Verdict {
    this.onDisk.set(rel, 'file');
    this.rec.files++;
    return { action, rel };
  }

  /** `a -> /tmp` then `a/x` would write through the link: refuse instead of following it. */
  private refuseBelowSymlink(rel: string, name: string): void {
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
      if (this.symlinks.has(rel.slice(0, i)))
        throw new UnsafeArchiveError(name, `path goes through symlink ${rel.slice(0, i)}`);
    }
  }
}
