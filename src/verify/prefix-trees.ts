import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { extractImage } from '../archive/index.js';
import type { AuditRoot } from '../audit/audit-prefix.js';
import type { SaveSource } from '../build/dep-trees.js';

/** An image's prefix extracted for the audit, with what the image holds outside it. */
export interface ExtractedPrefix {
  root: AuditRoot;
  /** Absolute in-image paths outside the prefix (its parent directories excepted). */
  outside: string[];
}

/**
 * Prefixes of images extracted from their `docker save` streams into one temporary folder, each image once
 * however many audits mount it (ansible's audit mounts git and base, which are audited too).
 */
export class PrefixTrees {
  readonly #pending = new Map<string, Promise<ExtractedPrefix>>();

  private constructor(
    private readonly source: SaveSource,
    private readonly dir: string,
  ) {}

  /** Runs `work` with trees in a new temporary folder under `parent`, removed afterwards whatever happens. */
  static async with<T>(source: SaveSource, parent: string, work: (trees: PrefixTrees) => Promise<T>): Promise<T> {
    await mkdir(parent, { recursive: true });
    const dir = await mkdtemp(path.join(path.resolve(parent), 'dappdeps-audit-'));
    const trees = new PrefixTrees(source, dir);
    try {
      return await work(trees);
    } finally {
      // Extractions still running would write into a removed folder: let them settle first.
      await Promise.allSettled(trees.#pending.values());
      await rm(dir, { recursive: true, force: true });
    }
  }

  get(tag: string, prefix: string): Promise<ExtractedPrefix> {
    let tree = this.#pending.get(tag);
    if (!tree) {
      tree = this.#extract(tag, prefix, path.join(this.dir, String(this.#pending.size)));
      this.#pending.set(tag, tree);
    }
    return tree;
  }

  async #extract(tag: string, prefix: string, target: string): Promise<ExtractedPrefix> {
    const outside: string[] = [];
    await extractImage(await this.source.images.save(tag), { target, only: prefix, onOutside: (p) => outside.push(p) });
    return { root: { prefix, dir: target }, outside };
  }
}
