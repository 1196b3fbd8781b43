interface Node<V> {
  held?: { value: V };
  children: Map<string, Node<V>>;
}

/**
 * Values keyed by normal-form image paths, where removing a path removes everything below it, as a
 * whiteout or a replaced directory does. A trie, so each removal costs the path's depth, not the tree's size.
 */
export class PathTree<V> {
  private readonly root: Node<V> = { children: new Map() };

  set(rel: string, value: V): void {
    let node = this.root;
    for (const name of split(rel)) {
      let child = node.children.get(name);
      if (!child) {
        child = { children: new Map() };
        node.children.set(name, child);
      }
      node = child;
    }
    node.held = { value };
  }

  /** The value at `rel`, if it holds one. */
  get(rel: string): V | undefined {
    return this.find(split(rel))?.held?.value;
  }

  /** Removes `rel` and everything below it. */
  delete(rel: string): void {
    const names = split(rel);
    const last = names.pop();
    if (last === undefined) {
      this.root.children.clear();
      delete this.root.held;
      return;
    }
    this.find(names)?.children.delete(last);
  }

  /** Removes everything below `rel`, keeping `rel` itself. */
  deleteChildren(rel: string): void {
    this.find(split(rel))?.children.clear();
  }

  /** Every path holding a value, parents before their children, siblings sorted. */
  *entries(): Generator<[string, V]> {
    yield* walk(this.root, '');
  }

  private find(names: readonly string[]): Node<V> | undefined {
    let node: Node<V> | undefined = this.root;
    for (const name of names) node = node?.children.get(name);
    return node;
  }
}

function split(rel: string): string[] {
  return rel.split('/').filter((s) => s !== '');
}

function* walk<V>(node: Node<V>, rel: string): Generator<[string, V]> {
  if (node.held) yield [rel, node.held.value];
  const children = [...node.children].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, child] of children) yield* walk(child, rel === '' ? name : `${rel}/${name}`);
}
