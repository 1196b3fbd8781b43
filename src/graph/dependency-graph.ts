/** A node of a dependency graph: a name and the names it depends on. */
export interface GraphNode {
  name: string;
  deps: readonly string[];
}

/**
 * Order nodes in rounds: every node's dependencies stand in earlier rounds, so the nodes of one round can
 * be built in parallel. Names are sorted inside a round so the plan is stable. Throws on a cycle or an
 * unknown dependency: callers validate first (see findCycles/findUnknownDeps) to report them nicely.
 */
export function orderInRounds(nodes: readonly GraphNode[]): string[][] {
  const remaining = new Map(nodes.map((n) => [n.name, new Set(n.deps)]));
  for (const [name, deps] of remaining) {
    for (const dep of deps) if (!remaining.has(dep)) throw new Error(`${name} depends on unknown ${dep}`);
  }
  const rounds: string[][] = [];
  const done = new Set<string>();
  while (remaining.size > 0) {
    const round = [...remaining].filter(([, deps]) => [...deps].every((d) => done.has(d))).map(([name]) => name);
    if (round.length === 0) throw new Error(`dependency cycle among ${[...remaining.keys()].sort().join(', ')}`);
    round.sort();
    for (const name of round) {
      remaining.delete(name);
      done.add(name);
    }
    rounds.push(round);
  }
  return rounds;
}

/** Every elementary cycle reachable in the graph, each as the path of names that closes on itself. */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const deps = new Map(nodes.map((n) => [n.name, [...n.deps].sort()]));
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'closed'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'open');
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      if (state.get(dep) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        const key = canonical(cycle);
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(dep) && deps.has(dep)) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(name, 'closed');
  };
  for (const name of [...deps.keys()].sort()) if (!state.has(name)) visit(name);
  return cycles;
}

/** A cycle's identity regardless of where it was entered. */
function canonical(cycle: readonly string[]): string {
  const ring = cycle.slice(0, -1);
  const start = ring.indexOf([...ring].sort()[0] ?? '');
  return [...ring.slice(start), ...ring.slice(0, start)].join('>');
}

/** Pairs of (node, dependency) where the dependency is not a node of the graph. */
export function findUnknownDeps(nodes: readonly GraphNode[]): { name: string; dep: string; index: number }[] {
  const names = new Set(nodes.map((n) => n.name));
  return nodes.flatMap((n) => n.deps.flatMap((dep, index) => (names.has(dep) ? [] : [{ name: n.name, dep, index }])));
}

/** The transitive closure of `start` along `next`, excluding `start` itself, in discovery order. */
export function closure(start: string, next: (name: string) => readonly string[]): string[] {
  const out: string[] = [];
  const visit = (name: string): void => {
    for (const dep of next(name)) {
      if (dep !== start && !out.includes(dep)) {
        out.push(dep);
        visit(dep);
      }
    }
  };
  visit(start);
  return out;
}
