import { PathTree } from './path-tree.js';

/** What one layer says about the layers below it, as an overlay applies it. */
export interface LayerChanges<E> {
  /** Directories whose lower contents are gone (`.wh..wh..opq`). */
  opaqueDirs: Iterable<string>;
  /** Paths that are gone, with everything below them (`.wh.<name>`). */
  whiteouts: Iterable<string>;
  /** The layer's own entries, parents before children: path, entry, whether it is a directory. */
  entries: Iterable<[string, E, boolean]> | AsyncIterable<[string, E, boolean]>;
}

/** Where an overlay applies layers: a tree in memory, a folder on disk, a set of paths. */
export interface OverlayTarget<E> {
  /** Removes everything below `dir`, keeping `dir`. */
  clearChildren(dir: string): void | Promise<void>;
  /** Removes `rel` and everything below it. */
  remove(rel: string): void | Promise<void>;
  /** Puts `entry` at `rel`: a directory over a directory merges into it; anything else replaces `rel` whole. */
  put(rel: string, entry: E, isDirectory: boolean): void | Promise<void>;
}

/**
 * Applies one layer as overlayfs does, the one walker every reader of layers uses (extraction on disk, the ext4
 * tree, provision's view of the source image): opaque directories first, then whiteouts, then the layer's entries.
 */
export async function applyLayer<E>(target: OverlayTarget<E>, layer: LayerChanges<E>): Promise<void> {
  for (const dir of layer.opaqueDirs) await target.clearChildren(dir);
  for (const rel of layer.whiteouts) await target.remove(rel);
  for await (const [rel, entry, isDirectory] of layer.entries) await target.put(rel, entry, isDirectory);
}

/** A PathTree as an overlay target: each path holds the entry of the highest layer that has it. */
export function treeTarget<E>(tree: PathTree<E>): OverlayTarget<E> {
  return {
    clearChildren: (dir) => tree.deleteChildren(dir),
    remove: (rel) => tree.delete(rel),
    put: (rel, entry, isDirectory) => {
      if (!isDirectory) tree.delete(rel); // a file over a directory hides what was below it
      tree.set(rel, entry);
    },
  };
}

/** The flattened tree of layers (lowest first): what the image's root holds, path by path. */
export async function flatten<E>(layers: Iterable<LayerChanges<E>>): Promise<PathTree<E>> {
  const tree = new PathTree<E>();
  const target = treeTarget(tree);
  for (const layer of layers) await applyLayer(target, layer);
  return tree;
}
