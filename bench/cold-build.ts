import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import Docker from 'dockerode';
import { bootstrapBaseImage } from '../src/bootstrap/bootstrap-base.js';
import { createDockerClient, type DockerClient } from '../src/docker/docker-client.js';
import { labels } from '../src/labels.js';
import type { Builder, BuildRequest } from '../src/docker/types.js';
import { loadDistro } from '../src/manifest/load-distro.js';
import { imageTag, type Distro } from '../src/manifest/model.js';
import { requestedPackages } from '../src/lock/resolve-lock.js';
import { buildDistro } from '../src/orchestrator/build-distro.js';
import type { BuildEngine } from '../src/orchestrator/build-engine.js';
import { PrefixCache } from '../src/prefix-cache/prefix-cache.js';
import { treeDifferences, treeDigest } from '../test/support/tree-digest.js';
import { cliBuild } from './lib/docker-cli.js';
import { timed } from './lib/exec.js';
import { copyFixtureDistro, repoRoot } from './lib/fixture.js';
import { LoadSampler } from './lib/load-sampler.js';
import type { BenchResult, Row } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

/** Where one image's build time went, in ms. */
interface Parts {
  /** From the build request to the first Dockerfile step: the context sent and unpacked (BuildKit: and the base's metadata). */
  context: number;
  contextMb: number;
  /** The RUN that installs the packages (apt-get update, download, unpack, configure). */
  apt: number;
  /** COPY of the build-time dependencies' prefixes (the toolchain) into the build stage: classic only. */
  depsCopy: number;
  /** The RUN that collects and seals the prefix. */
  sealing: number;
  /** Every other step (COPY of the kit, final stage, labels; BuildKit: exporting the image). */
  other: number;
  /** From the build's end to the image's result: the build-end audit (and untagging on failure). */
  audit: number;
  /** From the start of the image's task to its build request: extracting dependencies' prefixes (classic only). */
  extraction: number;
  total: number;
}

/** One builder's cold build of the distro. */
interface BuilderRun {
  builder: Builder;
  ms: number;
  parts: Map<string, Parts>;
  tags: Record<string, string>;
}

/** A step line of either builder: classic `Step 3/9 : RUN …`, BuildKit `[build 2/5] RUN …` (and its export). */
const STEP = [/^Step \d+\/\d+ : (.*)$/, /^\[[^\]]* \d+\/\d+\] (.*)$/, /^(exporting to image)$/];

function stepOf(line: string): string | undefined {
  for (const pattern of STEP) {
    const m = pattern.exec(line);
    if (m) return m[1] ?? '';
  }
  return undefined;
}

/** Which part a Dockerfile step belongs to, by its instruction. */
function partOf(step: string): 'apt' | 'depsCopy' | 'sealing' | 'other' {
  if (/^RUN .*(install-locked|apt-get install)/.test(step)) return 'apt';
  if (/^COPY deps\//.test(step)) return 'depsCopy';
  if (/^RUN .*collect\.sh/.test(step)) return 'sealing';
  return 'other';
}

const BUILDERS: readonly Builder[] = ['buildkit', 'classic'];

/**
 * The cold build against its floor: plain `docker build --no-cache`s that only apt-install each binary image's
 * packages (the work no build of these images can avoid), one after another, then `dappdeps build --no-cache` of
 * the same distro with each builder in the same run (BuildKit: dependents mount the toolchain with `RUN --mount`;
 * classic: its prefix extracted into their contexts), each image's time split into its parts (from the build
 * output's step lines, timed as they arrive). One round: a cold build takes minutes. Afterwards the prefixes both
 * builders made are compared file by file.
 */
export async function coldBuild(scope: BenchScope): Promise<BenchResult> {
  const load = new LoadSampler();
  const docker = createDockerClient();
  const source = await loadDistro(path.join(repoRoot, 'distro'));
  const baseImage = source.settings.binary.baseImage;
  await bootstrapBaseImage(docker, baseImage);
  // DAPPDEPS_BENCH_IMAGES=toolchain,base narrows the run (a loaded machine makes the whole distro slow to measure).
  const only = process.env.DAPPDEPS_BENCH_IMAGES?.split(',').filter(Boolean);
  const images = source.images.filter((i) => i.manifest.binary && (!only || only.includes(i.name)));
  const names = images.map((i) => i.name);
  const s = (ms: number) => (ms / 1000).toFixed(1);

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
      console.error(`cold-build: apt-only ${image.name} ${s(aptTimes.get(image.name) ?? 0)} s`);
    }
  });

  // BuildKit first: if the mirror's answers get faster as the run goes on, that favours classic.
  const runs: BuilderRun[] = [];
  const failures: string[] = [];
  for (const builder of BUILDERS) {
    const distro = await loadDistro(await copyFixtureDistro(path.join(repoRoot, 'distro'), scope, [], builder));
    try {
      runs.push(await buildWith(builder, distro, docker, names, path.join(scope.tmp, builder, 'work'), scope));
    } catch (error) {
      failures.push(`${builder}: ${error instanceof Error ? error.message : String(error)}`);
      console.error(`cold-build: ${builder} failed: ${failures.at(-1)}`);
    }
  }
  if (runs.length === 0) throw new Error(`cold build failed with every builder:\n${failures.join('\n')}`);
  const during = load.stop();

  const perImage = images.map((i) => {
    const apt = aptTimes.get(i.name) ?? 0;
    const each = runs.map((run) => {
      const p = run.parts.get(i.name);
      if (!p) return `${run.builder} —`;
      return `${run.builder} ${s(p.total)} (${(p.total / apt).toFixed(2)}×) = extraction ${s(p.extraction)} + context ${s(p.context)} (${p.contextMb.toFixed(0)} MB) + apt ${s(p.apt)} + deps copy ${s(p.depsCopy)} + sealing ${s(p.sealing)} + other ${s(p.other)} + audit ${s(p.audit)}`;
    });
    return `  ${i.name}: apt-only ${s(apt)} | ${each.join(' | ')}`;
  });
  const rows: Row[] = runs.map((run) => ({
    metric: `dappdeps build --no-cache --builder ${run.builder}, concurrency ${os.availableParallelism()}`,
    unit: 's',
    measured: [run.ms / 1000],
    baseline: { label: 'sequential apt-only docker build --no-cache', samples: [baseline.ms / 1000] },
    goal: { op: '<=', value: 1.3 },
  }));
  return {
    title: `cold build of the binary distribution (${names.join(', ')}) with both builders against apt-only builds, one round`,
    rows,
    notes: [
      `wall time includes the lock check before building (one apt-get update in a container of ${baseImage})`,
      'per image, seconds (ratio to its apt-only build): total = extraction of dependencies + context + steps (apt, deps copy, sealing, other) + audit',
      ...perImage,
      ...failures.map((f) => `FAILED ${f}`),
      ...(await comparePrefixes(runs, source, docker, scope)),
      ...(await compareLayers(runs, source)),
      'one round each, in this order: apt-only, BuildKit, classic; all three fetch every package from the mirror',
      `load average during the run: ${during} (a shared machine: compare ratios within one run)`,
    ],
  };
}

/** A cold, forced build of `names` with `builder`, each image's time split into its parts. */
async function buildWith(
  builder: Builder,
  distro: Distro,
  docker: DockerClient,
  names: readonly string[],
  workDir: string,
  scope: BenchScope,
): Promise<BuilderRun> {
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
            const instruction = stepOf(line.text);
            if (instruction !== undefined) {
              first ??= now;
              close(now);
              step = { kind: partOf(instruction), at: now };
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
      builder,
      names,
      force: 'all',
      noCache: true,
      concurrency: os.availableParallelism(),
      workDir,
      idleTimeoutMs: 1_800_000,
      ensureBaseImage: async () => undefined,
      onBuilding: (name) => started.set(name, performance.now()),
      onFinish: (r) => {
        const p = part(r.name);
        p.total = r.durationMs;
        p.audit = performance.now() - (built.get(r.name) ?? performance.now());
        console.error(`cold-build: ${builder} ${r.name} ${r.state} in ${(r.durationMs / 1000).toFixed(1)} s`);
      },
    }),
  );
  await scope.recordBuildLogs(path.join(workDir, 'logs'));
  const failed = ours.value.results.filter((r) => r.state !== 'built');
  if (failed.length > 0)
    throw new Error(
      failed
        .map((r) => `${r.name} ${r.state}${r.error instanceof Error ? ` (${r.error.message.slice(0, 300)})` : ''}`)
        .join(', '),
    );
  return { builder, ms: ours.ms, parts, tags: ours.value.tags };
}

/** Both builders' prefixes of each image, file by file (paths, types, modes, contents; not times). */
async function comparePrefixes(
  runs: readonly BuilderRun[],
  distro: Distro,
  docker: DockerClient,
  scope: BenchScope,
): Promise<string[]> {
  const [a, b] = runs;
  if (!a || !b) return [];
  const prefixes = new PrefixCache(docker, path.join(scope.tmp, 'prefixes'));
  const compared: string[] = [];
  for (const [name, tag] of Object.entries(a.tags)) {
    const other = b.tags[name];
    if (!other) continue;
    const prefix = distro.index.image(name).prefix;
    const [da, db] = [
      await treeDigest((await prefixes.get(tag, prefix)).root.dir),
      await treeDigest((await prefixes.get(other, prefix)).root.dir),
    ];
    const differ = treeDifferences(da, db);
    compared.push(
      `${name}: ${da.size} entries, ${differ.length === 0 ? 'identical' : `${differ.length} differ (${differ.slice(0, 5).join(', ')}${differ.length > 5 ? ', …' : ''})`}`,
    );
  }
  return [`prefixes, ${a.builder} against ${b.builder}: ${compared.join('; ')}`];
}

/**
 * Reproducibility of the whole distro: each image's layer digests (`RootFS.Layers`) from both builders' cold
 * builds, and from the engine's own `dappdeps/*` image when it has the same content hash (an earlier build).
 */
async function compareLayers(runs: readonly BuilderRun[], distro: Distro): Promise<string[]> {
  const engine = new Docker();
  const layersOf = async (tag: string) => {
    const info = await engine.getImage(tag).inspect();
    return { hash: info.Config.Labels?.[labels.contentHash] ?? '', layers: (info.RootFS.Layers ?? []).join(',') };
  };
  const lines: string[] = [];
  for (const name of Object.keys(runs[0]?.tags ?? {})) {
    const seen: { from: string; hash: string; layers: string }[] = [];
    for (const run of runs) {
      const tag = run.tags[name];
      if (tag) seen.push({ from: `${run.builder} cold build`, ...(await layersOf(tag)) });
    }
    const earlier = imageTag(distro, distro.index.image(name), 'binary');
    const existing = await layersOf(earlier).catch(() => undefined);
    if (existing && existing.hash === seen[0]?.hash) seen.push({ from: `${earlier} (built earlier)`, ...existing });
    const distinct = [...new Set(seen.map((x) => x.layers))];
    lines.push(
      `  ${name}: ${distinct.length === 1 ? `identical in ${seen.map((x) => x.from).join(', ')}: ${distinct[0]}` : seen.map((x) => `${x.from} ${x.layers}`).join(' | ')}`,
    );
  }
  return ['layer digests (RootFS.Layers):', ...lines];
}
