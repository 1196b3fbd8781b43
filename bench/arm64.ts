import os from 'node:os';
import path from 'node:path';
import { bootstrapBaseImage } from '../src/bootstrap/bootstrap-base.js';
import { checkEmulation } from '../src/bootstrap/emulation.js';
import { createDockerClient } from '../src/docker/docker-client.js';
import { architectures } from '../src/manifest/architectures.js';
import { buildFixture, type FixtureBuild } from './lib/build-fixture.js';
import { timed } from './lib/exec.js';
import { copyFixtureDistro, repoRoot } from './lib/fixture.js';
import type { BenchResult } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

/** The images built, with their build-time dependencies (default: what a consumer mounts). */
const IMAGES_ENV = 'DAPPDEPS_BENCH_IMAGES';
/** Emulation runs shell loops about 10 times slower: a cold arm64 build should cost no more than that. */
const GOAL_RATIO = 10;

/**
 * The arm64 binary distribution built cold under qemu emulation (`build --arch arm64`: `nocache`, forced, audited,
 * configs rewritten to arm64) against the same images built cold for amd64 in the same run, one round each. The arm64
 * base image is bootstrapped first when the engine has none (timed apart: it is made once per engine). The arm64
 * images need no toolchain (their build stages compile the launchers), the amd64 ones build it first.
 */
export async function arm64(scope: BenchScope): Promise<BenchResult> {
  const names = (process.env[IMAGES_ENV] ?? 'base,git,ansible').split(',').filter(Boolean);
  await checkEmulation(architectures.arm64);
  const dir = await copyFixtureDistro(path.join(repoRoot, 'distro'), scope);
  const docker = createDockerClient();
  const concurrency = os.availableParallelism();
  const bootstrap = await timed(() => bootstrapBaseImage(docker, 'arm64v8/debian:bookworm'));
  const build = (arch?: string) =>
    buildFixture(scope, docker, dir, { force: true, nocache: true, concurrency, names, ...(arch ? { arch } : {}) });
  const amd64 = await build();
  const arm = await build('arm64');
  const perImage = (b: FixtureBuild) =>
    b.results.map((r) => `${r.name} ${(r.durationMs / 1000).toFixed(0)} s`).join(', ');
  return {
    title: `arm64 under emulation against amd64, cold: ${names.join(', ')} and their build-time dependencies, one round`,
    rows: [
      {
        metric: `cold build, concurrency ${concurrency}`,
        unit: 's',
        measured: [arm.ms / 1000],
        baseline: { label: 'the same images for amd64', samples: [amd64.ms / 1000] },
        goal: { op: '<=', value: GOAL_RATIO },
      },
    ],
    notes: [
      `per image (build, config rewrite for arm64, audit): arm64 ${perImage(arm)}; amd64 ${perImage(amd64)}`,
      bootstrap.value === 'bootstrapped'
        ? `arm64v8/debian:bookworm bootstrapped first (debootstrap under emulation, config rewritten): ${(bootstrap.ms / 1000).toFixed(0)} s, not in the ratio`
        : `arm64v8/debian:bookworm was ${bootstrap.value}: its bootstrap is not in this run`,
      `images: ${IMAGES_ENV}=${names.join(',')} (set it to e.g. base for a shorter run)`,
    ],
  };
}
