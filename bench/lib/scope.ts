import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { createdImageIds } from './build-output.js';

const open = new Set<BenchScope>();

/**
 * Everything one benchmark creates: a unique repository (`dappdeps-bench-<random>`) for its tags, one temp
 * folder, and the ids of the intermediate images its builds created. The engine is shared with other
 * engineers, so cleanup never prunes: it removes our tags and the images our builds' output says they created,
 * with `noprune` so that untagged parents that are someone else's cache survive.
 */
export class BenchScope {
  readonly repository: string;
  private readonly created: string[] = [];
  private readonly docker = new Docker();

  private constructor(
    readonly name: string,
    readonly tmp: string,
  ) {
    this.repository = `dappdeps-bench-${randomBytes(4).toString('hex')}`;
  }

  static async open(name: string): Promise<BenchScope> {
    const scope = new BenchScope(name, await mkdtemp(path.join(os.tmpdir(), `dappdeps-bench-${name}-`)));
    open.add(scope);
    return scope;
  }

  tag(name: string, version: string): string {
    return `${this.repository}/${name}:${version}`;
  }

  /** Remember the images a build created, from its classic-builder output. */
  recordBuildOutput(output: string): void {
    this.created.push(...createdImageIds(output));
  }

  /** Same, for every build log buildDistro wrote (they are overwritten by the next run: call after each run). */
  async recordBuildLogs(dir: string): Promise<void> {
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.log')))
      this.recordBuildOutput(await readFile(path.join(dir, file), 'utf8'));
  }

  /**
   * Removes our tags, then the images we created, then the temp folder. Build logs are read one image at a time,
   * so the recorded order is not the engine's creation order across images: a parent that still has children
   * is retried after them, until a pass removes nothing. What is left then has children that are not ours.
   */
  async cleanup(): Promise<{ removed: number; left: number }> {
    open.delete(this);
    let removed = 0;
    const remove = async (ref: string): Promise<'done' | 'conflict'> => {
      try {
        await this.docker.getImage(ref).remove({ noprune: true });
        removed++;
      } catch (error) {
        // 404: already gone (e.g. it was a tagged image). 409: some image builds on it, ours or someone's.
        if ((error as { statusCode?: number }).statusCode !== 404) return 'conflict';
      }
      return 'done';
    };
    for (const image of await this.docker.listImages()) {
      for (const tag of image.RepoTags ?? []) if (tag.startsWith(`${this.repository}/`)) await remove(tag);
    }
    let pending = [...new Set(this.created)].reverse();
    for (;;) {
      const conflicts: string[] = [];
      for (const id of pending) if ((await remove(id)) === 'conflict') conflicts.push(id);
      if (conflicts.length === pending.length) break;
      pending = conflicts;
    }
    await rm(this.tmp, { recursive: true, force: true });
    return { removed, left: pending.length };
  }
}

/** Clean up whatever is still open (used on Ctrl-C, so an interrupted run leaves nothing behind). */
export async function cleanupOpenScopes(): Promise<void> {
  for (const scope of [...open]) await scope.cleanup().catch(() => undefined);
}
