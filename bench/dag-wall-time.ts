import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDockerClient } from '../src/docker/docker-client.js';
import { loadDistro } from '../src/manifest/load-distro.js';
import { buildFixture } from './lib/build-fixture.js';
import { criticalPath, type DagNode } from './lib/critical-path.js';
import { copyFixtureDistro, repoRoot } from './lib/fixture.js';
import { median, secondsRow, type BenchResult } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

const REPEATS = 3;
const CONCURRENCY = 2;

/**
 * Wall time of a forced build of bench/fixtures/dag (images that sleep known times, in a DAG whose critical
 * path dominates at concurrency 2: see its distro.yaml) against its critical path. A second row compares with
 * the critical path of the images' measured durations: that isolates the scheduler from docker's fixed
 * per-image cost (containers, commits, labels), which the first row includes.
 */
export async function dagWallTime(scope: BenchScope): Promise<BenchResult> {
  const dir = await copyFixtureDistro(path.join(repoRoot, 'bench/fixtures/dag/distro'), scope);
  const distro = await loadDistro(dir);
  const nodes: DagNode[] = distro.images.map((i) => ({ name: i.name, deps: i.manifest.dependencies.build }));
  const sleeps = new Map<string, number>();
  for (const node of nodes)
    sleeps.set(node.name, await sleepOf(path.join(distro.templatesDir, 'partials', `sleep-${node.name}.hbs`)));
  const nominal = criticalPath(nodes, (n) => sleeps.get(n) ?? 0);
  const work = [...sleeps.values()].reduce((a, b) => a + b, 0);

  const docker = createDockerClient();
  const walls: number[] = [];
  const measuredPaths: number[] = [];
  const overheads: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    // A new ENV value before the sleeps: every step after it misses docker's cache, so each run really sleeps.
    await writeFile(
      path.join(distro.templatesDir, 'partials', 'run-id.hbs'),
      `ENV DAPPDEPS_BENCH_RUN=${randomBytes(6).toString('hex')}\n`,
    );
    const run = await buildFixture(scope, docker, dir, { force: true, concurrency: CONCURRENCY });
    const took = new Map(run.results.map((r) => [r.name, r.durationMs / 1000]));
    walls.push(run.ms / 1000);
    measuredPaths.push(criticalPath(nodes, (n) => took.get(n) ?? 0).length);
    for (const [name, s] of took) overheads.push(s - (sleeps.get(name) ?? 0));
  }
  return {
    title: `DAG wall time: ${nodes.length} images, concurrency ${CONCURRENCY}, forced, ${REPEATS} runs, medians`,
    rows: [
      secondsRow(
        'wall time vs critical path of the sleeps',
        walls,
        { label: `critical path ${nominal.path.join('→')}`, samples: [nominal.length] },
        1.1,
      ),
      secondsRow(
        'wall time vs critical path of measured image times',
        walls,
        { label: 'same path, measured', samples: measuredPaths },
        1.1,
      ),
    ],
    notes: [
      `total sleep ${work} s / ${CONCURRENCY} slots = ${(work / CONCURRENCY).toFixed(1)} s < critical path ${nominal.length} s: the path, not the slots, bounds the wall time`,
      `docker's fixed cost per image (measured time minus its sleep): median ${median(overheads).toFixed(2)} s, max ${Math.max(...overheads).toFixed(2)} s; the first row pays it once per image on the path`,
    ],
  };
}

/** Seconds slept by a `RUN sleep <n>` partial: the fixture's single source for the durations. */
async function sleepOf(file: string): Promise<number> {
  const text = await readFile(file, 'utf8');
  const seconds = /^RUN sleep (\d+(?:\.\d+)?)\s*$/.exec(text)?.[1];
  if (seconds === undefined) throw new Error(`${file} must be exactly "RUN sleep <seconds>"`);
  return Number(seconds);
}
