import { setTimeout as sleep } from 'node:timers/promises';
import { runDag, type NodeResult, type TaskOutcome } from '../../../src/orchestrator/dag-scheduler.js';
import { expect } from '../../support/expect.js';

const node = (name: string, ...deps: string[]) => ({ name, deps });
const byName = (results: NodeResult[]) => Object.fromEntries(results.map((r) => [r.name, r.state]));

describe('dag scheduler', () => {
  it('runs dependencies before dependents', async () => {
    const order: string[] = [];
    const task = async ({ name }: { name: string }): Promise<TaskOutcome> => {
      order.push(name);
      await sleep(1);
      return 'built';
    };
    const results = await runDag([node('ansible', 'toolchain'), node('toolchain'), node('git', 'toolchain')], task, {
      concurrency: 4,
    });
    expect(order[0]).to.equal('toolchain');
    expect(byName(results)).to.deep.equal({ toolchain: 'built', ansible: 'built', git: 'built' });
  });

  it('never runs more than `concurrency` tasks at once, and does use the parallelism', async () => {
    let running = 0;
    let peak = 0;
    const task = async (): Promise<TaskOutcome> => {
      peak = Math.max(peak, ++running);
      await sleep(5);
      running--;
      return 'built';
    };
    await runDag(
      ['a', 'b', 'c', 'd', 'e'].map((n) => node(n)),
      task,
      { concurrency: 2 },
    );
    expect(peak).to.equal(2);
  });

  it('skips dependents of a failure (transitively) and lets independent nodes finish', async () => {
    const task = async ({ name }: { name: string }): Promise<TaskOutcome> => {
      if (name === 'broken') throw new Error('boom');
      return name === 'cachedone' ? 'cached' : 'built';
    };
    const results = await runDag(
      [node('broken'), node('child', 'broken'), node('grandchild', 'child'), node('independent'), node('cachedone')],
      task,
      { concurrency: 1 },
    );
    expect(byName(results)).to.deep.equal({
      broken: 'failed',
      child: 'skipped',
      grandchild: 'skipped',
      independent: 'built',
      cachedone: 'cached',
    });
    expect(results.find((r) => r.name === 'grandchild')?.because).to.equal('broken');
    expect((results.find((r) => r.name === 'broken')?.error as Error).message).to.equal('boom');
  });

  it('a node with a failed and a successful dependency is skipped once', async () => {
    const finished: string[] = [];
    const task = async ({ name }: { name: string }): Promise<TaskOutcome> => {
      if (name === 'bad') throw new Error('x');
      return 'built';
    };
    await runDag([node('good'), node('bad'), node('both', 'good', 'bad')], task, {
      concurrency: 2,
      onFinish: (r) => finished.push(r.name),
    });
    expect(finished.filter((n) => n === 'both')).to.have.length(1);
  });

  it('on abort: running tasks see the signal, nothing new starts, the rest is cancelled', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const task = ({ name }: { name: string }, signal: AbortSignal) =>
      new Promise<TaskOutcome>((resolve, reject) => {
        started.push(name);
        if (name === 'slow') setTimeout(() => controller.abort(new Error('SIGINT')), 5);
        signal.addEventListener('abort', () => reject(new Error('aborted')));
        if (name !== 'slow') resolve('built');
      });
    const results = await runDag([node('slow'), node('after', 'slow'), node('queued')], task, {
      concurrency: 1,
      signal: controller.signal,
    });
    expect(started).to.deep.equal(['slow']);
    expect(byName(results)).to.deep.equal({ slow: 'cancelled', after: 'cancelled', queued: 'cancelled' });
  });

  it('returns at once for an empty graph and for an already aborted signal', async () => {
    expect(await runDag([], async () => 'built', { concurrency: 1 })).to.deep.equal([]);
    const controller = new AbortController();
    controller.abort();
    const results = await runDag([node('a')], async () => 'built', { concurrency: 1, signal: controller.signal });
    expect(byName(results)).to.deep.equal({ a: 'cancelled' });
  });

  it('reports start and finish events for each node', async () => {
    const events: string[] = [];
    await runDag([node('a'), node('b', 'a')], async () => 'built', {
      concurrency: 1,
      onStart: (n) => events.push(`start ${n}`),
      onFinish: (r) => events.push(`${r.state} ${r.name}`),
    });
    expect(events).to.deep.equal(['start a', 'built a', 'start b', 'built b']);
  });
});
