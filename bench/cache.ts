import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { main } from '../src/cli/main.js';
import { captureOutput } from '../test/support/capture-output.js';
import { startEngine, startRegistry, type TestService } from '../test/support/test-services.js';
import { timed } from './lib/exec.js';
import { repoRoot } from './lib/fixture.js';
import { LoadSampler } from './lib/load-sampler.js';
import type { BenchResult } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

const exec = promisify(execFile);

interface Summary {
  built: number;
  pulled: number;
  cached: number;
  failed: number;
}

/** `dappdeps build NAMES --cache CACHE --json` of the real distro on the engine at `host`: its time and summary. */
async function build(host: string, names: readonly string[], cache: string): Promise<{ ms: number; summary: Summary }> {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = host;
  try {
    const output = captureOutput();
    const work = path.join(path.dirname(host.replace('unix://', '')), 'work');
    const { ms, value: code } = await timed(() =>
      main(
        ['build', ...names, '--distro', path.join(repoRoot, 'distro'), '--cache', cache, '--json', '--work-dir', work],
        output,
      ),
    );
    const text = [...output.stdout, ...output.stderr].join('\n');
    if (code !== 0) throw new Error(`build on ${host} failed:\n${text}`);
    const line = output.stdout.find((l) => l.includes('"event":"summary"')) ?? '{}';
    return { ms, summary: JSON.parse(line) as Summary };
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
}

/**
 * A registry as the shared build cache: two empty throwaway engines and a real registry (Debian's docker-registry on
 * 127.0.0.1). Engine A builds cold with the cache empty (every image built, then pushed: what the first CI machine
 * pays); engine B, as empty, builds the same images from the now warm cache (every image pulled and audited). Both
 * get the build base (debian:bookworm) from this engine first, untimed. DAPPDEPS_BENCH_IMAGES (default
 * toolchain,base) picks the images: the whole distro takes minutes on a loaded machine.
 */
export async function cacheBench(scope: BenchScope): Promise<BenchResult> {
  const names = (process.env.DAPPDEPS_BENCH_IMAGES ?? 'toolchain,base').split(',').filter(Boolean);
  const load = new LoadSampler();
  const services: TestService[] = [];
  try {
    const registry = await startRegistry(path.join(scope.tmp, 'registry'));
    services.push(registry);
    const engines: TestService[] = [];
    for (const name of ['a', 'b']) {
      const engine = await startEngine(path.join(scope.tmp, name));
      services.push(engine);
      engines.push(engine);
      const file = path.join(scope.tmp, 'debian.tar');
      await exec('/usr/bin/docker', ['save', '-o', file, 'debian:bookworm']);
      await exec('/usr/bin/docker', ['load', '-q', '-i', file], {
        env: { PATH: process.env.PATH, DOCKER_HOST: engine.address },
      });
    }
    const [a, b] = engines as [TestService, TestService];
    const cache = `${registry.address}/bench-cache`;
    const cold = await build(a.address, names, cache);
    console.error(`cache: cold build on A (cache empty): ${(cold.ms / 1000).toFixed(1)} s`, cold.summary);
    const warm = await build(b.address, names, cache);
    console.error(`cache: cold build on B (cache warm): ${(warm.ms / 1000).toFixed(1)} s`, warm.summary);
    const notes = [
      `images: ${names.join(', ')} (with their build-time dependencies); A: ${JSON.stringify(cold.summary)}; B: ${JSON.stringify(warm.summary)}`,
      'A includes pushing each built image to the cache (the first machine pays it); B pulls each and audits it as a build',
      `load: ${load.stop()}`,
    ];
    if (warm.summary.built !== 0) notes.push(`B built ${warm.summary.built} image(s): the cache missed`);
    return {
      title: 'build from a warm registry cache vs cold build, both on an empty engine',
      rows: [
        {
          metric: `cold build of ${names.join('+')} on an empty engine`,
          unit: 's',
          measured: [warm.ms / 1000],
          baseline: { label: 'same, cache empty (built + pushed)', samples: [cold.ms / 1000] },
          goal: { op: '<=', value: 0.5 },
        },
      ],
      notes,
    };
  } finally {
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
  }
}
