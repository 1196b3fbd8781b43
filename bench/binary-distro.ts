import os from 'node:os';
import path from 'node:path';
import { PrefixCache } from '../src/prefix-cache/prefix-cache.js';
import { createDockerClient, type DockerClient } from '../src/docker/docker-client.js';
import { loadDistro } from '../src/manifest/load-distro.js';
import type { ImageModel } from '../src/manifest/model.js';
import { buildFixture } from './lib/build-fixture.js';
import { cliBuild } from './lib/docker-cli.js';
import { timed } from './lib/exec.js';
import { copyFixtureDistro, repoRoot } from './lib/fixture.js';
import { injectBuildDeps, renderPlainContexts } from './lib/plain-contexts.js';
import type { BenchResult } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

const MB = 1e6;
/** What a consumer mounts: the images compared with werf's one merged stapel image. */
const CONSUMER = ['base', 'git', 'ansible'];
const WERF_STAPEL_MB = 326;

/**
 * A cold build of the real binary distribution (every step run again: `nocache`, forced, audited as in real
 * use) against a sequential `docker build --no-cache` of the same rendered contexts in dependency order, each
 * dependent's context given the toolchain prefix extracted from the plain toolchain image. Then the sizes of
 * the images built. One round: a cold build takes minutes each way.
 */
export async function binaryDistro(scope: BenchScope): Promise<BenchResult> {
  const dir = await copyFixtureDistro(path.join(repoRoot, 'distro'), scope);
  const distro = await loadDistro(dir);
  const docker = createDockerClient();
  const concurrency = os.availableParallelism();

  const ours = await buildFixture(scope, docker, dir, { force: true, nocache: true, concurrency });
  const plain = await renderPlainContexts(scope, distro);
  const plainTag = (dep: ImageModel): string => {
    const ctx = plain.find((c) => c.image === dep);
    if (!ctx) throw new Error(`${dep.name} has no binary context`);
    return ctx.tag;
  };
  // A fresh extraction cache: the plain loop pays its own extraction, as ours does inside buildDistro.
  const trees = new PrefixCache(docker, path.join(scope.tmp, 'plain-deps'));
  const plainTimes = new Map<string, number>();
  let injectMs = 0;
  const baseline = await timed(async () => {
    for (const ctx of plain) {
      injectMs += (await timed(() => injectBuildDeps(ctx, distro, trees, plainTag))).ms;
      plainTimes.set(ctx.image.name, (await timed(() => cliBuild(scope, ctx.tag, ctx.dir, { nocache: true }))).ms);
    }
  });

  const sizes = await sizesOf(docker, ours.tags);
  const plainSizes = await sizesOf(docker, Object.fromEntries(plain.map((c) => [c.image.name, c.tag])));
  const consumerMb = CONSUMER.reduce((sum, name) => {
    const size = sizes[name];
    if (size === undefined) throw new Error(`the distro has no binary image ${name}`);
    return sum + size;
  }, 0);
  const oursTimes = new Map(ours.results.map((r) => [r.name, r.durationMs]));
  const s = (ms: number | undefined): string => (ms === undefined ? '?' : `${(ms / 1000).toFixed(0)} s`);
  const mb = (n: number): string => `${n.toFixed(1)} MB`;
  return {
    title: `binary distribution, cold: ${plain.length} images (${plain.map((c) => c.image.name).join(', ')}), one round`,
    rows: [
      {
        metric: `cold build, concurrency ${concurrency}`,
        unit: 's',
        measured: [ours.ms / 1000],
        baseline: { label: 'sequential docker build --no-cache', samples: [baseline.ms / 1000] },
        goal: { op: '<=', value: 0.8 },
      },
      {
        metric: `${CONSUMER.join(' + ')} image size`,
        unit: 'MB',
        measured: [consumerMb],
        goal: { op: '<=', value: 150 },
      },
    ],
    notes: [
      `per image, ours (each includes its extraction and audit) / plain: ${plain.map((c) => `${c.image.name} ${s(oursTimes.get(c.image.name))} / ${s(plainTimes.get(c.image.name))}`).join(', ')}`,
      `the plain loop spent ${(injectMs / 1000).toFixed(1)} s extracting the toolchain prefix (extractImage) and copying it into ${plain.length - 1} contexts; rendering is not timed on that side`,
      `image sizes (docker image inspect Size, 10^6 bytes): ${Object.entries(sizes)
        .map(([name, size]) => `${name} ${mb(size)}`)
        .join(', ')}; the plain builds of the same contexts: ${Object.entries(plainSizes)
        .map(([name, size]) => `${name} ${mb(size)}`)
        .join(', ')}`,
      `for comparison, werf's merged stapel image is ${WERF_STAPEL_MB} MB`,
      'one round each way, ours first (Debian downloads are not cached locally: both sides fetch every package from the mirror); the engine and both cores may be shared with other builds',
    ],
  };
}

/** Image name → size in MB of the image under that tag. */
async function sizesOf(docker: DockerClient, tags: Record<string, string>): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const [name, tag] of Object.entries(tags)) {
    const info = await docker.images.inspect(tag);
    if (!info) throw new Error(`${tag} was not built`);
    sizes[name] = info.size / MB;
  }
  return sizes;
}
