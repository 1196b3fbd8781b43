import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { extractImage } from '../image/extract-image.js';
import type { ImageDetails } from '../docker/types.js';
import { DappdepsError } from '../errors.js';

/** What extraction needs from the engine. */
export interface PrefixSource {
  images: {
    inspect(tag: string): Promise<Pick<ImageDetails, 'id'> | undefined>;
    save(tag: string): Promise<Readable>;
  };
}

/** An image's prefix on disk, with what the image holds outside it. */
export interface CachedPrefix {
  /** `root.dir` + `root.prefix` holds the prefix; `root.dir` is what a build context injects at `/`. */
  root: { prefix: string; dir: string };
  /** Absolute in-image paths outside the prefix (its parent folders excepted): the audit reports them. */
  outside: string[];
}

/**
 * Marks a complete entry. Versioned: an entry of an earlier version (modes flattened, an outside report that
 * could name replaced paths) has only OLD_MARKER, and is removed and extracted again.
 */
const MARKER = 'complete-v2.json';
const OLD_MARKER = 'complete.json';
/** In an entry: one empty file per process id that has used it (see #use). */
const USERS = 'users';

/** The cache's folder inside a work folder (`.dappdeps/` by default), for builds and `verify` alike. */
export function prefixCacheDir(workDir: string): string {
  return path.join(workDir, 'prefixes');
}

/**
 * Images' prefixes extracted from their `docker save` streams, cached on disk by image id. The toolchain is
 * extracted once for its own audit, every dependent's build context and `verify`, and again only when its
 * image changes (the entry of the tag's previous image is then removed). Concurrent requests share one
 * extraction; a half-written entry never looks complete.
 */
export class PrefixCache {
  readonly #pending = new Map<string, Promise<CachedPrefix>>();

  constructor(
    private readonly source: PrefixSource,
    private readonly dir: string,
    /** Told when an image is really extracted (not found on disk): a slow step worth a line. */
    private readonly onExtract?: (tag: string) => void,
  ) {}

  async get(tag: string, prefix: string): Promise<CachedPrefix> {
    const info = await this.source.images.inspect(tag);
    if (!info) throw new DappdepsError(`image ${tag} does not exist`);
    const key = info.id.replace(/^sha256:/, '');
    let entry = this.#pending.get(key);
    if (!entry) {
      entry = this.#load(tag, key, prefix);
      this.#pending.set(key, entry);
      // A failed extraction may be retried by the next caller.
      entry.catch(() => this.#pending.delete(key));
    }
    return entry;
  }

  async #load(tag: string, key: string, prefix: string): Promise<CachedPrefix> {
    const dir = path.join(this.dir, key);
    const root = { prefix, dir: path.join(dir, 'root') };
    const cached = (await use(dir)) ? await readMarker(dir) : undefined;
    if (cached) return { root, outside: cached.outside };
    if (await exists(path.join(dir, OLD_MARKER))) await rm(dir, { recursive: true, force: true });

    this.onExtract?.(tag);
    const temp = `${dir}.tmp-${process.pid}`;
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
    try {
      const outside: string[] = [];
      await extractImage(await this.source.images.save(tag), {
        target: path.join(temp, 'root'),
        only: prefix,
        image: tag,
        onOutside: (p) => outside.push(p),
        modes: 'no-setid', // read by the audit and injected into build contexts, never an image layer itself
      });
      await access(path.join(temp, 'root', prefix)).catch(() => {
        throw new DappdepsError(`image ${tag} holds nothing under ${prefix}`);
      });
      await writeFile(path.join(temp, MARKER), JSON.stringify({ tag, outside }));
      await publish(temp, dir);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    await use(dir);
    await this.#forgetOtherImagesOf(tag, key);
    const done = await readMarker(dir);
    if (!done) throw new DappdepsError(`extracting ${tag} left no complete entry in ${dir}`);
    return { root, outside: done.outside };
  }

  /**
   * An older image of the same tag will not be asked for again: its entry only takes disk space. Unless another
   * live process uses it: a concurrent run may have extracted the image the tag named a moment ago.
   */
  async #forgetOtherImagesOf(tag: string, key: string): Promise<void> {
    for (const other of await readdir(this.dir)) {
      if (other === key || other.includes('.tmp-')) continue;
      const entry = path.join(this.dir, other);
      if ((await readMarker(entry))?.tag === tag && !(await usedByOthers(entry)))
        await rm(entry, { recursive: true, force: true });
    }
  }
}

/**
 * Records that this process reads the entry at `dir`; false when there is none (never creates one: an entry
 * appears only whole, by rename).
 */
async function use(dir: string): Promise<boolean> {
  try {
    await mkdir(path.join(dir, USERS)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    await writeFile(path.join(dir, USERS, String(process.pid)), '');
    return true;
  } catch {
    return false;
  }
}

async function usedByOthers(dir: string): Promise<boolean> {
  const pids = await readdir(path.join(dir, USERS)).catch(() => [] as string[]);
  return pids.some((pid) => Number(pid) !== process.pid && isAlive(Number(pid)));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves a complete entry into place. An entry appears only this way, whole, so one already there is complete:
 * another process extracted the same image meanwhile, and it may be reading it, so it is kept and ours dropped.
 */
async function publish(temp: string, dir: string): Promise<void> {
  try {
    await rename(temp, dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function readMarker(dir: string): Promise<{ tag: string; outside: string[] } | undefined> {
  const text = await readFile(path.join(dir, MARKER), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as { tag: string; outside: string[] });
}
