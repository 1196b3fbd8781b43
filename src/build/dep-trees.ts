import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { extractImage } from '../archive/index.js';
import { DappdepsError } from '../errors.js';

/** What extraction needs from the engine. */
export interface SaveSource {
  images: { save(tag: string): Promise<Readable> };
}

const COMPLETE = '.dappdeps-complete';

/**
 * Extracted prefix trees of dependency images, cached on disk by image id: a dependency is extracted once
 * however many dependents need it, and reused across runs until its image changes. Concurrent requests
 * for the same image share one extraction.
 */
export class DepTrees {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly docker: SaveSource,
    private readonly cacheDir: string,
  ) {}

  /** Folder holding `<prefix>/…` of image `tag` (id `imageId`), relative to its root. */
  get(tag: string, imageId: string, prefix: string): Promise<string> {
    const key = imageId.replace(/^sha256:/, '');
    let promise = this.pending.get(key);
    if (!promise) {
      promise = this.extract(tag, key, prefix);
      this.pending.set(key, promise);
      // A failed extraction may be retried by the next caller.
      promise.catch(() => this.pending.delete(key));
    }
    return promise;
  }

  private async extract(tag: string, key: string, prefix: string): Promise<string> {
    const dir = path.join(this.cacheDir, key);
    if (await exists(path.join(dir, COMPLETE))) return path.join(dir, 'root');
    const temp = `${dir}.tmp-${process.pid}`;
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
    try {
      await extractImage(await this.docker.images.save(tag), { target: path.join(temp, 'root'), only: prefix });
      if (!(await exists(path.join(temp, 'root', prefix)))) {
        throw new DappdepsError(`image ${tag} holds nothing under ${prefix}`);
      }
      await writeFile(path.join(temp, COMPLETE), `${tag}\n`);
      await rm(dir, { recursive: true, force: true });
      await rename(temp, dir);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
    return path.join(dir, 'root');
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
