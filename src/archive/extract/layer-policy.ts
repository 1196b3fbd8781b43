import type { Header as TarHeader } from 'tar-stream';
import { UnsafeArchiveError } from '../../errors.js';
import { entryPath } from '../tar/entry-path.js';
import { PathTree } from '../overlay/path-tree.js';
import { symlinkTarget } from '../tar/symlink-target.js';
import { parseWhiteout } from '../overlay/whiteout.js';

/** Decides whether an entry at a normal-form path is extracted (see ExtractOptions.only). */
export type Keep = (rel: string, isDir: boolean) => boolean;

/** Mode (ModePolicy applied) and mtime an explicit directory entry asks for; applied once everything is in place. */
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
  /** Files whose mode has bits tar-fs never sets (setuid, setgid, sticky), in the order to apply them. */
  modes: Array<[string, number]>;
  files: number;
  bytes: number;
}

/**
 * Which mode bits above 0o777 an extraction keeps. `exact`: every bit, for trees that become part of an image
 * again. `no-setid`: setuid and setgid are dropped (a tree to read or inject into a build context, where a
 * setuid-root file in a work folder serves nothing and is a risk); the sticky bit stays, since dropping it
 * from a 1777 directory would widen it.
 */
export type ModePolicy = 'exact' | 'no-setid';
const MODE_MASK: Record<ModePolicy, number> = { exact: 0o7777, 'no-setid': 0o1777 };

/**
 * `replace`: an earlier entry of the layer already sits at the path and must be removed first. `remove`: the
 * same, with nothing written in its place (an entry that is not kept replaces one that was).
 */
export interface Verdict {
  action: 'write' | 'replace' | 'remove' | 'skip';
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
  private readonly outside = new PathTree<boolean>(); // entries not kept, by path: whether each is a directory
  private readonly modes = new Map<string, number>();
  private readonly mask: number;
  private readonly rec: Omit<LayerRecord, 'outside' | 'modes'> = {
    whiteouts: [],
    opaqueDirs: [],
    dirs: [],
    files: 0,
    bytes: 0,
  };

  constructor(
    private readonly keep: Keep,
    modes: ModePolicy = 'exact',
  ) {
    this.mask = MODE_MASK[modes];
  }

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
    this.modes.delete(rel);
    const earlier = this.onDisk.get(rel);
    if (!this.keep(rel, isDir)) return this.notKept(rel, type, earlier);
    if (rel === '' && !isDir) throw new UnsafeArchiveError(name, 'the layer root must be a directory');

    // A kept entry replaces what this layer had at its path outside the kept tree.
    if (!isDir || this.outside.get(rel) === false) this.outside.delete(rel);
    this.pending.delete(rel);
    const action = earlier === undefined || (earlier === 'dir' && isDir) ? 'write' : 'replace';
    const mode = (header.mode ?? 0o644) & this.mask;
    switch (type) {
      case 'directory':
        if (rel !== '')
          this.rec.dirs.push([rel, { mode: (header.mode ?? 0o755) & this.mask, mtime: header.mtime ?? new Date(0) }]);
        this.onDisk.set(rel, 'dir');
        return { action, rel };
      case 'file':
        this.rec.bytes += header.size ?? 0;
        if (mode > 0o777) this.modes.set(rel, mode);
        return this.file(rel, action);
      case 'link': {
        const target = entryPath(header.linkname ?? '', name);
        if (this.onDisk.get(target) !== 'file' || this.pending.has(target)) {
          throw new UnsafeArchiveError(
            name,
            `hardlink target ${JSON.stringify(header.linkname)} is not a file extracted earlier from this layer`,
          );
        }
        // The link's mode is its inode's: once the target's mode is set after tar-fs, so must this one's be.
        if (mode > 0o777 || this.modes.has(target)) this.modes.set(rel, mode);
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
    const outside = [...this.outside.entries()].map(([path, dir]) => ({ path, dir }));
    return { ...this.rec, outside, modes: [...this.modes] };
  }

  /**
   * An entry outside the kept tree is recorded for the outside report, never written. A non-directory where a
   * directory would be kept (a symlink `/.dapp` over the prefix's parent) still replaces that directory: it is
   * removed, from the lower layers like a whiteout and from this layer if written already.
   */
  private notKept(rel: string, type: TarHeader['type'], earlier: 'dir' | 'file' | undefined): Verdict {
    const isDir = type === 'directory';
    if (type === 'symlink') this.symlinks.add(rel);
    if (!isDir) this.outside.delete(rel);
    this.outside.set(rel, isDir);
    if (isDir || !this.keep(rel, true)) return { action: 'skip', rel };
    this.rec.whiteouts.push(rel);
    this.pending.delete(rel);
    if (earlier === undefined) return { action: 'skip', rel };
    this.onDisk.delete(rel);
    return { action: 'remove', rel };
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
