import { closure, findCycles, findUnknownDeps, orderInRounds } from '../../../src/graph/dependency-graph.js';
import { expect } from '../../support/expect.js';

const node = (name: string, ...deps: string[]) => ({ name, deps });

describe('dependency graph', () => {
  it('orders in rounds, parallel nodes sorted together', () => {
    const rounds = orderInRounds([
      node('git', 'toolchain'),
      node('toolchain'),
      node('ansible', 'toolchain', 'git'),
      node('base', 'toolchain'),
    ]);
    expect(rounds).to.deep.equal([['toolchain'], ['base', 'git'], ['ansible']]);
  });

  it('puts independent nodes in the first round', () => {
    expect(orderInRounds([node('b'), node('a')])).to.deep.equal([['a', 'b']]);
  });

  it('refuses a cycle, naming its nodes', () => {
    expect(() => orderInRounds([node('a', 'b'), node('b', 'a'), node('c')])).to.throw('dependency cycle among a, b');
  });

  it('finds each cycle once, whatever node it was entered from', () => {
    const cycles = findCycles([node('a', 'b'), node('b', 'c'), node('c', 'a'), node('d', 'd'), node('e', 'a')]);
    expect(cycles).to.deep.equal([
      ['a', 'b', 'c', 'a'],
      ['d', 'd'],
    ]);
  });

  it('finds no cycle in a DAG with shared dependencies', () => {
    expect(findCycles([node('a', 'b', 'c'), node('b', 'c'), node('c')])).to.deep.equal([]);
  });

  it('lists unknown dependencies with their index', () => {
    expect(findUnknownDeps([node('a', 'b', 'x'), node('b')])).to.deep.equal([{ name: 'a', dep: 'x', index: 1 }]);
  });

  it('computes transitive closures without the start node', () => {
    const deps: Record<string, string[]> = { ansible: ['git', 'base'], git: ['base'], base: [] };
    expect(closure('ansible', (n) => deps[n] ?? [])).to.deep.equal(['git', 'base']);
  });
});
