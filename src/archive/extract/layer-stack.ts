import type { StagedLayer } from './extract-layer.js';
import type { DirMeta } from './layer-policy.js';
import { mergeLayer } from './merge-layer.js';
import { applyLayer, treeTarget } from '../overlay/overlay.js';
import { PathTree } from '../overlay/path-tree.js';
import { restoreDirectories } from './restore-directories.js';

export interface StackStats {
  /** Layers applied, a layer named twice counting twice. */
  layers: number;
  /** Files, symlinks and hardlinks written, over all layers (later layers may replace them). */
  files: number;
  /** Bytes of regular files written, over all layers. */
  bytes: number;
  /** Paths removed by whiteouts, each child of an opaque directory counting once. */
  removedByWhiteout: number;
}

/**
 * Layers applied in order onto one root directory, tracking what whiteouts must also forget: directory modes
 * still to restore, and the entries outside the kept prefix that the final image holds.
 */
export class LayerStack {
  readonly stats: StackStats = { layers: 0, files: 0, bytes: 0, removedByWhiteout: 0 };
  private readonly dirs = new PathTree<DirMeta>();
  /** Paths outside the kept prefix in the image so far: whether each is a directory. */
  private readonly outside = new PathTree<boolean>();

  constructor(private readonly rootfs: string) {}

  async apply(layer: StagedLayer, consume: boolean): Promise<void> {
    const { removed, moved } = await mergeLayer(layer, this.rootfs, consume);
    // What the layer hides, it hides in the bookkeeping too: the same walker, entries handled below.
    const hidden = { opaqueDirs: layer.opaqueDirs, whiteouts: layer.whiteouts, entries: [] };
    await applyLayer(treeTarget(this.dirs), hidden);
    await applyLayer(treeTarget(this.outside), hidden);
    for (const { rel, dir } of moved) {
      this.dirs.delete(rel);
      // What the layer put in place replaces an outside entry at its path (a directory only a non-directory).
      if (!dir || this.outside.get(rel) === false) this.outside.delete(rel);
    }
    for (const [rel, meta] of layer.dirs) this.dirs.set(rel, meta);
    for (const entry of layer.outside) {
      if (!entry.dir) this.outside.delete(entry.path); // a file replacing a directory takes its contents along
      this.outside.set(entry.path, entry.dir);
    }
    this.stats.layers++;
    this.stats.files += layer.files;
    this.stats.bytes += layer.bytes;
    this.stats.removedByWhiteout += removed;
  }

  /** Absolute image paths outside the kept prefix that survive in the final image. */
  outsidePaths(): string[] {
    return [...this.outside.entries()].map(([rel]) => `/${rel}`);
  }

  finish(): void {
    restoreDirectories(this.rootfs, this.dirs);
  }
}
