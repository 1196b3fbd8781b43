import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { bootstrapBaseImage } from '../src/bootstrap/bootstrap-base.js';
import { createDockerClient } from '../src/docker/docker-client.js';
import type { BuildRequest } from '../src/docker/types.js';
import { loadDistro } from '../src/manifest/load-distro.js';
import { requestedPackages } from '../src/lock/resolve-lock.js';
import { buildDistro } from '../src/orchestrator/build-distro.js';
import type { BuildEngine } from '../src/orchestrator/build-engine.js';
import { cliBuild } from './lib/docker-cli.js';
import { timed } from './lib/exec.js';
import { copyFixtureDistro, repoRoot } from './lib/fixture.js';
import type { BenchResult } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

/** Where one image's build time went, in ms. */
interface Parts {
  /** From the build request to the engine's first line: the context sent and unpacked. */
  context: number;
  contextMb: number;
  /** The RUN that installs the packages (apt-get update, download, unpack, configure). */
  apt: number;
  /** COPY of the build-time dependencies' prefixes (the toolchain) into the build stage. */
  depsCopy: number;
  /** The RUN that collects and seals the prefix. */
  sealing: number;
  /** Every other step (COPY of the kit, final stage, labels). */
  other: number;
  /** From the build's end to the image's result: the build-end audit (and untagging on failure). */
  audit: number;
  /** From the start of the image's task to its build request: extracting dependencies' prefixes. */
  extraction: number;
  total: number;
}

/** Which part a Dockerfile step belongs to, by its instruction. */
function partOf(step: string): 'apt' | 'depsCopy' | 'sealing' | 'other' {
  if (/^RUN .*(install-locked|apt-get install)/.test(step)) return 'apt';
  if (/^COPY deps\//.test(step)) return 'depsCopy';
  if (/^RUN .*collect\.sh/.test(step)) return 'sealing';
  return 'other';
}

/**
 * The cold build against its floor: plain `docker build --no-cache`s that only apt-install each binary image's
 * packages (the work no build of these images can avoid), one after another, then `dappdeps build --no-cache` of
 * the same distro in the same run, with each image's time split into its parts (from the build output's step lines,
 * timed as they arrive). One round: a cold build takes minutes.
 */
export async function coldBuild(scope: BenchScope): Promise<BenchResult> {
  const dir = await copyFixtureDistro(path.join(repoRoot, 'distro'), scope);
  const distro = await loadDistro(dir);
  const docker = createDockerClient();
  const baseImage = distro.settings.binary.baseImage;
  await bootstrapBaseImage(docker, baseImage);
  // DAPPDEPS_BENCH_IMAGES=toolchain,base narrows the run (a loaded machine makes the whole distro slow to measure).
  const only = process.env.DAPPDEPS_BENCH_IMAGES?.split(',').filter(Boolean);
  const images = distro.images.filter((i) => i.manifest.binary && (!only || only.includes(i.name)));

  const aptTimes = new Map<string, number>();
  const baseline = await timed(async () => {
    for (const image of images) {
      const ctx = path.join(scope.tmp, 'apt-only', image.name);
      await mkdir(ctx, { recursive: true });
      await writeFile(
        path.join(ctx, 'Dockerfile'),
        `FROM ${baseImage}\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${requestedPackages(image).join(' ')} && rm -rf /var/lib/apt/lists/*\n`,
      );
      const tag = `${scope.repository}/apt-only-${image.name}:1`;
      aptTimes.set(image.name, (await timed(() => cliBuild(scope, tag, ctx, { nocache: true }))).ms);
    }
  });

  const parts = new Map<string, Parts>();
  const started = new Map<string, number>();
  const built = new Map<string, number>();
  const part = (name: string): Parts => {
    let p = parts.get(name);
    if (!p) {
      p = { context: 0, contextMb: 0, apt: 0, depsCopy: 0, sealing: 0, other: 0, audit: 0, extraction: 0, total: 0 };
      parts.set(name, p);
    }
    return p;
  };
  const engine: BuildEngine = {
    containers: docker.containers,
    images: {
      inspect: (tag) => docker.images.inspect(tag),
      save: (tag) => docker.images.save(tag),
      remove: (tag) => docker.images.remove(tag),
      build: async (req: BuildRequest) => {
        const p = part(req.image);
        const t0 = performance.now();
        p.extraction = t0 - (started.get(req.image) ?? t0);
        let bytes = 0;
        let step: { kind: ReturnType<typeof partOf>; at: number } | undefined;
        let first: number | undefined;
        const close = (now: number) => {
          if (step) p[step.kind] += now - step.at;
        };
        const counted = req.context.pipe(
          new Transform({
            transform(chunk: Buffer, _enc, done) {
              bytes += chunk.length;
              done(null, chunk);
            },
          }),
        );
        const result = await docker.images.build({
          ...req,
          context: counted,
          onLine: (line) => {
            const now = performance.now();
            first ??= now;
            const m = /^Step \d+\/\d+ : (.*)$/.exec(line.text);
            if (m) {
              close(now);
              step = { kind: partOf(m[1] ?? ''), at: now };
            }
            req.onLine(line);
          },
        });
        const end = performance.now();
        close(end);
        p.context = (first ?? end) - t0;
        p.contextMb = bytes / 1e6;
        built.set(req.image, end);
        return result;
      },
    },
  };
  const ours = await timed(() =>
    buildDistro(distro, engine, {
      strategy: 'binary',
      names: images.map((i) => i.name),
      force: true,
      nocache: true,
      concurrency: os.availableParallelism(),
      workDir: path.join(scope.tmp, 'work'),
      idleTimeoutMs: 1_800_000,
      ensureBaseImage: async () => undefined,
      onBuilding: (name) => started.set(name, performance.now()),
      onFinish: (r) => {
        const p = part(r.name);
        p.total = r.durationMs;
        p.audit = performance.now() - (built.get(r.name) ?? performance.now());
      },
    }),
  );
  await scope.recordBuildLogs(path.join(scope.tmp, 'work', 'logs'));
  const failed = ours.value.results.filter((r) => r.state !== 'built');
  if (failed.length > 0) throw new Error(`cold build failed: ${failed.map((r) => `${r.name} ${r.state}`).join(', ')}`);

  const s = (ms: number) => (ms / 1000).toFixed(1);
  return {
    title: `cold build of the binary distribution (${images.map((i) => i.name).join(', ')}) against apt-only builds, one round`,
    rows: [
      {
        metric: `dappdeps build --no-cache, concurrency ${os.availableParallelism()}`,
        unit: 's',
        measured: [ours.ms / 1000],
        baseline: { label: 'sequential apt-only docker build --no-cache', samples: [baseline.ms / 1000] },
        goal: { op: '<=', value: 1.3 },
      },
    ],
    notes: [
      `wall time includes the lock check before building (one apt-get update in a container of ${baseImage})`,
      'per image, seconds: total = extraction of dependencies + context + steps (apt, deps copy, sealing, other) + audit',
      ...images.map((i) => {
        const p = part(i.name);
        return `  ${i.name}: apt-only ${s(aptTimes.get(i.name) ?? 0)} | ours ${s(p.total)} = extraction ${s(p.extraction)} + context ${s(p.context)} (${p.contextMb.toFixed(0)} MB) + apt ${s(p.apt)} + deps copy ${s(p.depsCopy)} + sealing ${s(p.sealing)} + other ${s(p.other)} + audit ${s(p.audit)}`;
      }),
      `load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (a shared machine: compare ratios within one run)`,
    ],
  };
}
