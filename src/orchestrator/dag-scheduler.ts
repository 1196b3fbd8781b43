import PQueue from 'p-queue';
import type { GraphNode } from '../graph/dependency-graph.js';

/** `pulled`: restored from a shared build cache instead of built. */
export type TaskOutcome = 'built' | 'cached' | 'pulled';
export type NodeState = TaskOutcome | 'failed' | 'skipped' | 'cancelled';

export interface NodeResult {
  name: string;
  state: NodeState;
  durationMs: number;
  error?: unknown;
  /** For skipped nodes: the failed dependency that caused it. */
  because?: string;
}

export interface SchedulerEvents {
  onStart?(name: string): void;
  onFinish?(result: NodeResult): void;
}

export interface ScheduleOptions extends SchedulerEvents {
  concurrency: number;
  /** Aborting stops scheduling; running tasks get the same signal and are expected to stop. */
  signal?: AbortSignal;
}

/**
 * Run `task` for every node after all of its dependencies succeeded, at most `concurrency` at a time.
 * A node is enqueued only when its last dependency finished, so no queued task ever waits on another
 * (which would hold a slot and could deadlock). A failure marks the node's dependents skipped while
 * independent nodes go on. Every node gets exactly one result, in completion order.
 */
export async function runDag<N extends GraphNode>(
  nodes: readonly N[],
  task: (node: N, signal: AbortSignal) => Promise<TaskOutcome>,
  options: ScheduleOptions,
): Promise<NodeResult[]> {
  const queue = new PQueue({ concurrency: options.concurrency });
  const controller = new AbortController();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const running = new Set<string>();
  const waiting = new Map(nodes.map((n) => [n.name, new Set(n.deps)]));
  const dependents = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  for (const n of nodes) for (const d of n.deps) dependents.get(d)?.push(n.name);

  const results = new Map<string, NodeResult>();
  // On abort: nothing new starts; queued and waiting nodes are cancelled, running tasks see the signal.
  const onAbort = () => {
    queue.clear();
    controller.abort(options.signal?.reason);
    for (const name of [...waiting.keys()]) if (!running.has(name)) finish({ name, state: 'cancelled', durationMs: 0 });
  };
  let settle: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (settle = resolve));

  const finish = (result: NodeResult): void => {
    if (results.has(result.name)) return;
    results.set(result.name, result);
    waiting.delete(result.name);
    options.onFinish?.(result);
    const succeeded = result.state === 'built' || result.state === 'cached' || result.state === 'pulled';
    for (const dependent of dependents.get(result.name) ?? []) {
      if (results.has(dependent)) continue;
      if (!succeeded) {
        finish({
          name: dependent,
          state: result.state === 'cancelled' ? 'cancelled' : 'skipped',
          durationMs: 0,
          because: result.because ?? result.name,
        });
        continue;
      }
      const deps = waiting.get(dependent);
      deps?.delete(result.name);
      const node = byName.get(dependent);
      if (deps?.size === 0 && node) enqueue(node);
    }
    if (results.size === nodes.length) settle();
  };

  const enqueue = (node: N): void => {
    const { name } = node;
    if (controller.signal.aborted) {
      finish({ name, state: 'cancelled', durationMs: 0 });
      return;
    }
    queue
      .add(async () => {
        if (controller.signal.aborted) return finish({ name, state: 'cancelled', durationMs: 0 });
        const started = performance.now();
        running.add(name);
        options.onStart?.(name);
        try {
          const state = await task(node, controller.signal);
          finish({ name, state, durationMs: performance.now() - started });
        } catch (error) {
          const state = controller.signal.aborted ? 'cancelled' : 'failed';
          finish({ name, state, durationMs: performance.now() - started, error });
        }
      })
      // Every add() promise is caught: a rejected one would otherwise be an unhandled rejection.
      .catch((error: unknown) => finish({ name, state: 'failed', durationMs: 0, error }));
  };

  if (nodes.length === 0) settle();
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  for (const node of nodes) if (waiting.get(node.name)?.size === 0 && !results.has(node.name)) enqueue(node);
  await allDone;
  options.signal?.removeEventListener('abort', onAbort);
  return [...results.values()];
}
