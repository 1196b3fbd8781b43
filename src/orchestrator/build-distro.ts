import path from 'node:path';
import type { Builder } from '../docker/types.js';
import { BuildError, DappdepsError } from '../errors.js';
import { labels } from '../labels.js';
import { checkLock, lockProblem, staleImages } from '../lock/check-lock.js';
import { lockError, lockLocation, readDistroLock } from '../lock/lock-location.js';
import { buildEndAudit } from '../audit/build-end-audit.js';
import { hasStrategy, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';
import { contextFiles, renderDistro } from '../render/render-distro.js';
import { buildImage, buildLogFile, type BuildSettings, type ImageJob } from './build-image.js';
import type { BuildStep } from './build-step.js';
import type { BuildEngine } from './build-engine.js';
import { contentHash } from './content-hash.js';
import { runDag, type NodeResult } from './dag-scheduler.js';
import type { ImageCache } from './image-cache.js';
import { PrefixCache, prefixCacheDir } from '../prefix-cache/prefix-cache.js';

/**
 * What is rebuilt although an image with the same content hash exists: `none`; `named`, the images asked for
 * (every selected one when none is named), their build-time dependencies used as they are when unchanged;
 * `all`, those dependencies too.
 */
export type ForcePolicy = 'none' | 'named' | 'all';

export interface BuildDistroOptions {
  strategy: Strategy;
  /**
   * How a dependent's build stage gets its build-time dependencies: `classic` (default) sends their
   * extracted prefixes in its context; `buildkit` bind-mounts them from their images (`RUN --mount`), so
   * nothing is extracted. The source strategy always builds classic: its many RUN steps are written for it.
   */
  builder?: Builder;
  /** Images asked for (none: all); their build-time dependencies are built too. */
  names?: readonly string[];
  /** Default `none`: an image is built only when no image with its tag and content hash exists. */
  force?: ForcePolicy;
  /**
   * Build without docker's layer cache: every image this run builds runs all its steps again. It implies
   * `force: 'named'` (a cached image would not be built at all), and keeps `all` when asked.
   */
  noCache?: boolean;
  concurrency: number;
  /** Where logs and extracted dependency trees go. */
  workDir: string;
  idleTimeoutMs: number;
  signal?: AbortSignal;
  /** Makes sure a build base image exists (e.g. bootstraps debian:bookworm). */
  ensureBaseImage(ref: string): Promise<void>;
  /** For a distro of another architecture (`platform`): tags `tag` as the built image with that architecture in its
   * config, since the classic builder writes the engine's into the images' `FROM scratch` stage. */
  setArchitecture?(built: string, tag: string): Promise<void>;
  /** An image is being built (it was not in the cache); its log is written to `log` as the build goes. */
  onBuilding?(name: string, log: string): void;
  /** A building image started a Dockerfile step, or the step said what it is doing. */
  onStep?(name: string, step: BuildStep): void;
  /** A side note, e.g. an image's audit result, or a slow preparation step starting. */
  onInfo?(message: string): void;
  onFinish?(result: NodeResult): void;
  /** A shared build cache (a registry: src/build-cache/), asked before each build and offered each image built. */
  cache?: ImageCache;
}

export interface BuildSummary {
  results: NodeResult[];
  /** Images asked for that have no manifest section for the strategy (e.g. chefdk in binary). */
  unsupported: string[];
  tags: Record<string, string>;
  /** The build log of each image this run built or failed to build. */
  logs: Record<string, string>;
}

/**
 * Images built from the lock (those whose context carries `apt.lock`) that are not cached: before any of them
 * is built, the lock must still match the manifests and the mirror must still have every locked version with
 * its locked sha256. A no-op rebuild asks nothing.
 */
async function checkLockBeforeBuilding(
  distro: Distro,
  engine: BuildEngine,
  jobs: readonly ImageJob[],
  options: BuildDistroOptions,
): Promise<void> {
  const locked = jobs.filter((j) => j.files.has('apt.lock'));
  const toBuild: ImageJob[] = [];
  for (const job of locked) {
    const existing = await engine.images.inspect(job.tag);
    if (job.forced || existing?.labels[labels.contentHash] !== job.hash) toBuild.push(job);
  }
  if (toBuild.length === 0) return;
  const started = performance.now();
  const base = distro.settings[options.strategy].baseImage;
  options.onInfo?.(`lock: checking ${toBuild.length} image(s) against the mirror (apt-get update in ${base})`);
  const where = lockLocation(distro);
  const lock = await readDistroLock(distro);
  if (!lock) throw lockError(where, `the distro has no ${where.file}`);
  const images = toBuild.map((j) => j.image);
  const stale = staleImages(lock, images);
  const problem =
    stale.length > 0
      ? lockProblem({ installable: false, stale, packages: [], updates: [] }, where)
      : lockProblem(await checkLock(distro, lock, engine.containers, images, options.signal), where);
  if (problem) throw problem;
  options.onInfo?.(
    `lock: every locked package is on the mirror (${((performance.now() - started) / 1000).toFixed(1)}s)`,
  );
}

/** Which of the selected images are forced: the named ones, or with `all` their build-time dependencies too. */
function forcedNames(distro: Distro, options: PlanOptions): Set<string> {
  const force = options.force === 'all' ? 'all' : options.noCache || options.force === 'named' ? 'named' : 'none';
  if (force === 'none') return new Set();
  const names = options.names?.length ? options.names : distro.images.map((i) => i.name);
  return new Set(force === 'all' ? distro.index.withBuildDeps(names).map((i) => i.name) : names);
}

/** What planning jobs reads of the build's options. */
type PlanOptions = Pick<BuildDistroOptions, 'strategy' | 'builder' | 'names' | 'force' | 'noCache'>;

/**
 * Each image's content hash for `strategy`, as `build` computes it and compares it with the image's label: the
 * same distro, templates and lock give the same hashes (the builder does not count), any change to what an
 * image is made of changes its hash and its dependents'.
 */
export async function contentHashes(
  distro: Distro,
  strategy: Strategy,
  builder: Builder = 'classic',
): Promise<Map<string, string>> {
  // Dependency order, as a build plans: a dependent's hash takes its dependencies'.
  const all = distro.index.withBuildDeps(distro.images.map((i) => i.name));
  const jobs = await planJobs(
    distro,
    all.filter((i) => hasStrategy(i, strategy)),
    { strategy, builder },
  );
  return new Map(jobs.map((job) => [job.name, job.hash]));
}

/** One job per buildable image, in dependency order, with its content hash and context. */
async function planJobs(distro: Distro, buildable: ImageModel[], options: PlanOptions): Promise<ImageJob[]> {
  const { strategy } = options;
  const { index } = distro;
  const builder = strategy === 'binary' ? (options.builder ?? 'classic') : 'classic';
  // The content hash covers the classic rendering whatever the builder: the builder is how an image is made,
  // not what it holds (both give the same prefix), so switching builders rebuilds nothing.
  const contexts = await renderDistro(distro, buildable, [strategy]);
  const built = builder === 'classic' ? contexts : await renderDistro(distro, buildable, [strategy], builder);
  const forced = forcedNames(distro, options);
  const jobs: ImageJob[] = [];
  // Selection order is dependency order, so every dependency's hash is known when a dependent's is computed.
  for (const image of buildable) {
    const ctx = contexts.find((c) => c.image === image);
    const buildCtx = built.find((c) => c.image === image);
    if (!ctx || !buildCtx) continue;
    const deps = index.buildDeps(image);
    const files = contextFiles(ctx);
    // A template that does not use `depMounts` (a distro's own, written for the classic builder) renders the
    // same for both and expects its dependencies in the context: that image builds classic.
    const mounts = deps.length > 0 && buildCtx.files.get('Dockerfile') !== ctx.files.get('Dockerfile');
    const jobBuilder = builder === 'buildkit' && (deps.length === 0 || mounts) ? 'buildkit' : 'classic';
    const depHashes = Object.fromEntries(deps.map((d) => [d.name, jobs.find((j) => j.image === d)?.hash ?? 'missing']));
    const baseImage = distro.settings[strategy].baseImage;
    jobs.push({
      name: image.name,
      image,
      tag: index.tag(image, strategy),
      hash: contentHash({ strategy, baseImage, manifest: image.manifest, files, deps: depHashes }),
      forced: forced.has(image.name),
      builder: jobBuilder,
      files: contextFiles(jobBuilder === 'buildkit' ? buildCtx : ctx),
      buildDeps: deps.map((d) => ({ name: d.name, tag: index.tag(d, strategy), prefix: d.prefix })),
      // The scheduler orders by the dependencies that are built in this run.
      deps: deps.filter((d) => buildable.includes(d)).map((d) => d.name),
    });
  }
  return jobs;
}

/** Build the distro (or the named images and what they need) in dependency order, in parallel. */
export async function buildDistro(
  distro: Distro,
  engine: BuildEngine,
  options: BuildDistroOptions,
): Promise<BuildSummary> {
  const { strategy } = options;
  const selected = distro.index.withBuildDeps(options.names?.length ? options.names : distro.images.map((i) => i.name));
  const unsupported = selected.filter((i) => !hasStrategy(i, strategy)).map((i) => i.name);
  const jobs = await planJobs(
    distro,
    selected.filter((i) => hasStrategy(i, strategy)),
    options,
  );

  if (jobs.length > 0) await options.ensureBaseImage(distro.settings[strategy].baseImage);
  await checkLockBeforeBuilding(distro, engine, jobs, options);

  const onInfo = options.onInfo ?? (() => undefined);
  const prefixes = new PrefixCache(engine, prefixCacheDir(options.workDir), (tag) => onInfo(`extracting ${tag}`));
  const settings: BuildSettings = {
    engine,
    prefixes,
    logDir: path.join(options.workDir, 'logs'),
    nocache: options.noCache ?? false,
    idleTimeoutMs: options.idleTimeoutMs,
    ...(distro.platform ? { platform: distro.platform } : {}),
    ...(distro.platform && options.setArchitecture ? { setArchitecture: options.setArchitecture } : {}),
    ...(options.onBuilding ? { onBuilding: options.onBuilding } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(distro.settings.audit ? { audit: buildEndAudit(engine, distro, strategy, prefixes, onInfo) } : {}),
  };
  const results = await runDag(
    jobs,
    async (job, signal) => {
      // A dependency without this strategy can never be built: fail the image instead of building it wrong.
      const missing = job.buildDeps.filter((d) => unsupported.includes(d.name)).map((d) => d.name);
      if (missing.length > 0) throw new DappdepsError(`needs ${missing.join(', ')}, which has no ${strategy} strategy`);
      return buildImage(job, settings, signal);
    },
    {
      concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onFinish ? { onFinish: options.onFinish } : {}),
    },
  );
  const tags = Object.fromEntries(jobs.map((j) => [j.name, j.tag]));
  const logged = results.filter((r) => (r.state === 'built' || r.error instanceof BuildError) && tags[r.name]);
  const logs = Object.fromEntries(logged.map((r) => [r.name, buildLogFile(settings.logDir, tags[r.name] ?? '')]));
  return { results, unsupported, tags, logs };
}
