import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { SyncFileWriter } from './sync-file-writer.js';

type Callback<R> = (err: NodeJS.ErrnoException | null, value?: R) => void;

/**
 * A callback-style `fs` call that runs synchronously and reports on the next tick. Extracting a file is a chain
 * of ~15 small dependent calls (tar-fs checks every parent, then writes, stamps and owns the file); through
 * the thread pool each costs a round trip between threads that takes longer than the call itself.
 */
function deferred<A extends unknown[], R>(call: (...args: A) => R): (...args: [...A, Callback<R>]) => void {
  return (...args) => {
    const cb = args.pop() as Callback<R>;
    let value: R;
    try {
      value = call(...(args as unknown as A));
    } catch (err) {
      process.nextTick(cb, err as NodeJS.ErrnoException);
      return;
    }
    process.nextTick(cb, null, value);
  };
}

/**
 * The error for a missing path. tar-fs looks only at its code and never passes it on (a missing path is what it
 * expects before creating one), so one shared instance spares building a stack trace per new entry.
 */
const NO_ENTRY: NodeJS.ErrnoException = Object.freeze(
  Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' }),
);

/**
 * The part of `fs` that tar-fs's extract uses for one layer's files, directories and hardlinks (symlinks never
 * reach it), synchronous (see deferred).
 *
 * It remembers the directories lstat found: tar-fs lstats every parent of every entry up to the root, ~8 per
 * entry here, and a directory it has seen stays one while this layer is extracted. Nothing tar-fs does turns a
 * directory into something else (a file cannot be created or linked over one, and unlink fails on it), no
 * symlink exists until tar-fs is done (writeSymlinks), and the one removal, an entry replacing an earlier one,
 * must go through remove().
 */
export class LayerFs {
  private readonly dirs = new Map<string, fs.Stats>();

  readonly lstat = deferred((file: string) => {
    const known = this.dirs.get(file);
    if (known) return known;
    const stats = fs.lstatSync(file, { throwIfNoEntry: false });
    if (!stats) throw NO_ENTRY;
    if (stats.isDirectory()) this.dirs.set(file, stats);
    return stats;
  });

  readonly stat = deferred((file: string) => {
    const stats = fs.statSync(file, { throwIfNoEntry: false });
    if (!stats) throw NO_ENTRY;
    return stats;
  });

  readonly mkdir = deferred((dir: string, opts: fs.MakeDirectoryOptions & { recursive: true }) =>
    fs.mkdirSync(dir, opts),
  );
  readonly chmod = deferred((file: string, mode: number) => fs.chmodSync(file, mode));
  readonly chown = deferred((file: string, uid: number, gid: number) => fs.chownSync(file, uid, gid));
  readonly utimes = deferred((file: string, atime: Date, mtime: Date) => fs.utimesSync(file, atime, mtime));
  readonly unlink = deferred((file: string) => fs.unlinkSync(file));
  readonly link = deferred((existing: string, file: string) => fs.linkSync(existing, file));
  readonly realpath = deferred((file: string) => fs.realpathSync(file));

  createWriteStream(file: string): Writable {
    return new SyncFileWriter(file);
  }

  /** Removes `abs` and everything below it, forgetting them. */
  remove(abs: string): void {
    for (const dir of this.dirs.keys()) if (dir === abs || dir.startsWith(`${abs}${path.sep}`)) this.dirs.delete(dir);
    fs.rmSync(abs, { recursive: true, force: true });
  }
}
