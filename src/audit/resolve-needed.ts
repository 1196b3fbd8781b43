/**
 * Replays how glibc's ld.so maps the dependencies of one object, against the audit's roots only.
 *
 * Objects are mapped breadth first, as `_dl_map_object_deps` does. For each NEEDED name:
 * 1. an object already mapped under that name or SONAME is reused (this is how libc.so.6's NEEDED
 *    `ld-linux-x86-64.so.2` is met by the interpreter, wherever it lives);
 * 2. a name holding `/` (after token expansion) is opened as a path;
 * 3. otherwise, unless the requesting object has DT_RUNPATH: the DT_RPATH of the requesting object, then of
 *    the object that loaded it, and so on up to the root (an object with DT_RUNPATH has no effective
 *    DT_RPATH); then the requesting object's own DT_RUNPATH. `$ORIGIN` is the directory of the path each
 *    object was opened by, as in glibc.
 * LD_LIBRARY_PATH is not considered (sealed prefixes must not rely on the environment); what is left,
 * ld.so.cache and /lib, /usr/lib, belongs to the target image, so a name not found by then is unresolved.
 * A candidate of another ELF class or machine is skipped, as ld.so does; a candidate that is not ELF at
 * all stops the search with an error, as it does in ld.so.
 *
 * The root stands for the executable: for a library audited on its own, the program that will load it
 * is unknown, so its own RPATH chain is all it can count on.
 */
import { posix } from 'node:path';
import { ElfFormatError } from '../errors.js';
import { expandTokens } from './dst.js';
import type { ElfInfo } from './elf-reader.js';
import { explainResolution, type ImageFs, type Resolution } from './image-fs.js';

/** An object ld.so has mapped. */
export interface LoadedObject {
  /** The path ld.so opened it by; `$ORIGIN` is its directory. */
  openedAs: string;
  /** Its real in-image path, symlinks resolved. */
  file: string;
  info: ElfInfo;
  /** The object whose NEEDED mapped it; undefined for the root and preloaded objects. */
  loader: LoadedObject | undefined;
}

export interface Unresolved {
  /** The object whose NEEDED entry failed. */
  object: LoadedObject;
  name: string;
  problem: string;
}

/** Reads the ELF facts of a found file (cached by the caller). */
export type ElfLookup = (found: Extract<Resolution, { kind: 'found' }>) => Promise<ElfInfo | undefined>;

type Attempt = LoadedObject | { problem: string } | undefined;

function origin(o: LoadedObject): string {
  return posix.dirname(o.openedAs);
}

function expandAll(entries: readonly string[], o: LoadedObject): string[] {
  return entries.flatMap((e) => expandTokens(e, origin(o), o.info));
}

/** The directories ld.so searches for a NEEDED of `o`, in order. */
function searchDirs(o: LoadedObject): string[] {
  const dirs: string[] = [];
  if (o.info.runpath.length === 0) {
    for (let l: LoadedObject | undefined = o; l; l = l.loader) {
      if (l.info.runpath.length === 0) dirs.push(...expandAll(l.info.rpath, l));
    }
  }
  dirs.push(...expandAll(o.info.runpath, o));
  return [...new Set(dirs)];
}

/**
 * Maps the closure of `root` with `preloaded` (the interpreter) already in place; returns every NEEDED
 * entry that cannot be resolved inside the roots.
 */
export async function resolveNeeded(
  fs: ImageFs,
  elfAt: ElfLookup,
  root: LoadedObject,
  preloaded: readonly LoadedObject[],
): Promise<Unresolved[]> {
  const session = new LoadSession(fs, elfAt);
  for (const o of preloaded) session.remember(o, o.openedAs);
  session.remember(root, undefined);
  const unresolved: Unresolved[] = [];
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    const object = queue[i] as LoadedObject;
    for (const name of object.info.needed) {
      // Like ld.so, match the name as written against what is mapped before expanding or searching.
      if (session.isMapped(name)) continue;
      const found = await session.locate(object, name);
      if (found === undefined || 'problem' in found) {
        unresolved.push({ object, name, problem: found?.problem ?? notFound(object, name) });
        continue;
      }
      if (!session.isMappedFile(found.file)) queue.push(found);
      session.remember(found, name);
    }
  }
  return unresolved;
}

function notFound(o: LoadedObject, name: string): string {
  const dirs = searchDirs(o);
  const searched = dirs.length > 0 ? `searched ${dirs.join(', ')}` : 'no RPATH/RUNPATH';
  return `NEEDED ${name} not found inside the allowed prefixes (${searched}); ld.so would fall back to ld.so.cache, /lib and /usr/lib`;
}

/** What ld.so has mapped so far in one load, and how it finds more. */
class LoadSession {
  private readonly byName = new Map<string, LoadedObject>();
  private readonly byFile = new Map<string, LoadedObject>();

  constructor(
    private readonly fs: ImageFs,
    private readonly elfAt: ElfLookup,
  ) {}

  isMapped(name: string): boolean {
    return this.byName.has(name);
  }

  isMappedFile(file: string): boolean {
    return this.byFile.has(file);
  }

  /** Records `o` (or the object already mapped from its file) under its SONAME and `name`. */
  remember(found: LoadedObject, name: string | undefined): void {
    const o = this.byFile.get(found.file) ?? found;
    this.byFile.set(o.file, o);
    if (o.info.soname !== undefined && !this.byName.has(o.info.soname)) this.byName.set(o.info.soname, o);
    if (name !== undefined) this.byName.set(name, o);
  }

  async locate(o: LoadedObject, name: string): Promise<Attempt> {
    const expanded = expandTokens(name, origin(o), o.info);
    if (expanded.length === 0) return { problem: `NEEDED ${name} holds a token ld.so cannot expand here` };
    if (expanded.some((e) => e.includes('/'))) {
      for (const path of expanded) {
        if (!posix.isAbsolute(path))
          return { problem: `NEEDED ${name} is a relative path, resolved against the working directory` };
        const r = await this.fs.resolve(path);
        if (r.kind === 'outside') return { problem: explainResolution(`NEEDED ${name}`, path, r) };
        const hit = await this.candidate(o, name, path, r);
        if (hit) return hit;
      }
      return { problem: `NEEDED ${name} does not exist` };
    }
    for (const dir of searchDirs(o)) {
      if (!posix.isAbsolute(dir)) continue;
      // Joined as text, not normalized: `..` must be resolved physically, and `$ORIGIN` of what is
      // found is this very string's directory.
      const path = `${dir.replace(/\/+$/, '')}/${name}`;
      const hit = await this.candidate(o, name, path, await this.fs.resolve(path));
      if (hit) return hit;
    }
    return undefined;
  }

  private async candidate(loader: LoadedObject, name: string, openedAs: string, r: Resolution): Promise<Attempt> {
    if (r.kind !== 'found' || r.type !== 'file') return undefined;
    const known = this.byFile.get(r.path);
    if (known) return known;
    let info: ElfInfo | undefined;
    try {
      info = await this.elfAt(r);
    } catch (err) {
      if (!(err instanceof ElfFormatError)) throw err;
      return { problem: `NEEDED ${name} resolves to ${r.path}, which is a corrupt ELF file` };
    }
    if (!info) return { problem: `NEEDED ${name} resolves to ${r.path}, which is not an ELF file` };
    if (info.elfClass !== loader.info.elfClass || info.machine !== loader.info.machine) return undefined;
    return { openedAs, file: r.path, info, loader };
  }
}
