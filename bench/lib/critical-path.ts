/** A DAG node: its name and the names it depends on (all in the same list). */
export interface DagNode {
  name: string;
  deps: readonly string[];
}

/** The longest chain of `duration`s through the DAG (dependencies first): the wall time no schedule can beat. */
export function criticalPath(
  nodes: readonly DagNode[],
  duration: (name: string) => number,
): { length: number; path: string[] } {
  const memo = new Map<string, { length: number; path: string[] }>();
  const longestTo = (name: string): { length: number; path: string[] } => {
    const known = memo.get(name);
    if (known) return known;
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`unknown node ${name}`);
    let best = { length: 0, path: [] as string[] };
    for (const dep of node.deps) {
      const via = longestTo(dep);
      if (via.length > best.length) best = via;
    }
    const result = { length: best.length + duration(name), path: [...best.path, name] };
    memo.set(name, result);
    return result;
  };
  return nodes.map((n) => longestTo(n.name)).reduce((a, b) => (b.length > a.length ? b : a), { length: 0, path: [] });
}
