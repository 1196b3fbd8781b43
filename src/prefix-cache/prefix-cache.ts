import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { extractImage } from '../archive/index.js';
import type { ImageInfo } from '../docker/types.js';
import { DappdepsError } from '../errors.js';

/** What extraction needs from the engine. */
export interface PrefixSource {
  images: {
    inspect(tag: string): Promise<ImageInfo | undefined>;
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

const MARKER = 'complete.json';

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
    const cached = await readMarker(dir);
    if (cached) return { root, outside: cached.outside };

    const temp = `${dir}.tmp-${process.pid}`;
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
    try {
      const outside: string[] = [];
      await extractImage(await this.source.images.save(tag), {
        target: path.join(temp, 'root'),
        only: prefix,
        onOutside: (p) => outside.push(p),
      });
      await access(path.join(temp, 'root', prefix)).catch(() => {
        throw new DappdepsError(`image ${tag} holds nothing under ${prefix}`);
      });
      await writeFile(path.join(temp, MARKER), JSON.stringify({ tag, outside }));
      await rm(dir, { recursive: true, force: true });
      await rename(temp, dir);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    await this.#forgetOtherImagesOf(tag, key);
    const done = await readMarker(dir);
    if (!done) throw new DappdepsError(`extracting ${tag} left no complete entry in ${dir}`);
    return { root, outside: done.outside };
  }

  /** An older image of the same tag will not be asked for again: its entry only takes disk space. */
  async #forgetOtherImagesOf(tag: string, key: string): Promise<void> {
    for (const other of await readdir(this.dir)) {
      if (other === key || other.includes('.tmp-')) continue;
      if ((await readMarker(path.join(this.dir, other)))?.tag === tag)
        await rm(path.join(this.dir, other), { recursive: true, force: true });
    }
  }
}

async function readMarker(dir: string): Promise<{ tag: string; outside: string[] } | undefined> {
  const text = await readFile(path.join(dir, MARKER), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as { tag: string; outside: string[] });
}
