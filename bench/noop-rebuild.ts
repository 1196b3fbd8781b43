import path from 'node:path';
import { PrefixCache } from '../src/prefix-cache/prefix-cache.js';
import { createDockerClient } from '../src/docker/docker-client.js';
import { imageTag } from '../src/manifest/model.js';
import { loadDistro } from '../src/manifest/load-distro.js';
import { buildFixture } from './lib/build-fixture.js';
import { cliBuild } from './lib/docker-cli.js';
import { timed } from './lib/exec.js';
import { copyFixtureDistro, repoRoot } from './lib/fixture.js';
import { injectBuildDeps, renderPlainContexts } from './lib/plain-contexts.js';
import { secondsRow, type BenchResult } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

const REPEATS = 3;

/**
 * A second `dappdeps build` when nothing changed (every image skipped on its content hash) against a plain
 * loop of `docker build` over the same rendered contexts, where docker's layer cache makes every step a hit.
 * The orchestrator fixture without its failing images: tools, app (build-depends on tools), solo.
 */
export async function noopRebuild(scope: BenchScope): Promise<BenchResult> {
  const dir = await copyFixtureDistro(path.join(repoRoot, 'test/fixtures/orchestrator/distro'), scope, [
    'broken',
    'after-broken',
  ]);
  const docker = createDockerClient();
  const options = { force: false, concurrency: 2 };
  const first = await buildFixture(scope, docker, dir, options);
  const distro = await loadDistro(dir);
  const plain = await renderPlainContexts(scope, distro);
  // app's context gets the tools prefix the orchestrator injects, from the orchestrator's extraction cache.
  const trees = new PrefixCache(docker, path.join(scope.tmp, 'work', 'deps'));
  for (const ctx of plain) await injectBuildDeps(ctx, distro, trees, (dep) => imageTag(distro, dep, 'binary'));
  const plainLoop = async (): Promise<void> => {
    for (const ctx of plain) await cliBuild(scope, ctx.tag, ctx.dir);
  };
  await plainLoop(); // warm-up: fills docker's cache for the plain tags' own final steps

  const ours: number[] = [];
  const baseline: number[] = [];
  const notCached = new Set<string>();
  for (let i = 0; i < REPEATS; i++) {
    const run = await buildFixture(scope, docker, dir, options);
    for (const r of run.results) if (r.state !== 'cached') notCached.add(r.name);
    ours.push(run.ms / 1000);
    baseline.push((await timed(plainLoop)).ms / 1000);
  }
  return {
    title: `no-op rebuild: orchestrator fixture (${plain.length} images), ${REPEATS} runs, medians`,
    rows: [secondsRow('second build, nothing changed', ours, { label: 'docker build loop', samples: baseline }, 1)],
    notes: [
      `the warm-up build took ${(first.ms / 1000).toFixed(1)} s (docker may already cache its build stages, e.g. from the test suite); ours = buildDistro wall time (render, hash, inspect; concurrency 2), baseline = sequential \`DOCKER_BUILDKIT=0 docker build --network host\` per context, all steps cache hits`,
      notCached.size > 0
        ? `WARNING: not skipped in a timed run: ${[...notCached].join(', ')}`
        : 'every timed run skipped every image on its content hash',
    ],
  };
}
