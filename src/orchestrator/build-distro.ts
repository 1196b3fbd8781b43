import path from 'node:path';
import type { Builder } from '../docker/types.js';
import { DappdepsError } from '../errors.js';
import { labels } from '../labels.js';
import { checkLock, lockProblem, staleImages } from '../lock/check-lock.js';
import { lockError, lockLocation, readDistroLock } from '../lock/lock-location.js';
import { buildEndAudit } from '../audit/build-end-audit.js';
import { hasStrategy, type Distro, type Strategy } from '../manifest/model.js';
import { contextFiles, renderDistro } from '../render/render-distro.js';
import { buildImage, type ImageJob } from './build-image.js';
import type { BuildEngine } from './build-engine.js';
import { contentHash } from './content-hash.js';
import { runDag, type NodeResult } from './dag-scheduler.js';
import type { ImageCache } from './image-cache.js';
import { PrefixCache, prefixCacheDir } from '../prefix-cache/prefix-cache.js';

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
  force: boolean;
  /** Build without docker's layer cache (with `force`: rebuild everything from scratch). */
  nocache?: boolean;
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
  /** An image is being built (it was not in the cache). */
  onBuilding?(name: string): void;
  /** A side note, e.g. an image's audit result. */
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
    if (options.force || existing?.labels[labels.contentHash] !== job.hash) toBuild.push(job);
  }
  if (toBuild.length === 0) return;
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
}

/** Build the distro (or the named images and what they need) in dependency order, in parallel. */
export async function buildDistro(
  distro: Distro,
  engine: BuildEngine,
  options: BuildDistroOptions,
): Promise<BuildSummary> {
  const { strategy } = options;
  const { index } = distro;
  const selected = index.withBuildDeps(options.names?.length ? options.names : distro.images.map((i) => i.name));
  const unsupported = selected.filter((i) => !hasStrategy(i, strategy)).map((i) => i.name);
  const buildable = selected.filter((i) => hasStrategy(i, strategy));

  const builder = strategy === 'binary' ? (options.builder ?? 'classic') : 'classic';
  // The content hash covers the classic rendering whatever the builder: the builder is how an image is made,
  // not what it holds (both give the same prefix), so switching builders rebuilds nothing.
  const contexts = await renderDistro(distro, buildable, [strategy]);
  const built = builder === 'classic' ? contexts : await renderDistro(distro, buildable, [strategy], builder);
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
    jobs.push({
      name: image.name,
      image,
      tag: index.tag(image, strategy),
      hash: contentHash({
        strategy,
        baseImage: distro.settings[strategy].baseImage,
        manifest: image.manifest,
        files,
        deps: depHashes,
      }),
      builder: jobBuilder,
      files: contextFiles(jobBuilder === 'buildkit' ? buildCtx : ctx),
      buildDeps: deps.map((d) => ({ name: d.name, tag: index.tag(d, strategy), prefix: d.prefix })),
      // The scheduler orders by the dependencies that are built in this run.
      deps: deps.filter((d) => buildable.includes(d)).map((d) => d.name),
    });
  }

  if (jobs.length > 0) await options.ensureBaseImage(distro.settings[strategy].baseImage);
  await checkLockBeforeBuilding(distro, engine, jobs, options);

  const prefixes = new PrefixCache(engine, prefixCacheDir(options.workDir));
  const settings = {
    engine,
    prefixes,
    logDir: path.join(options.workDir, 'logs'),
    force: options.force,
    nocache: options.nocache ?? false,
    idleTimeoutMs: options.idleTimeoutMs,
    ...(distro.platform ? { platform: distro.platform } : {}),
    ...(distro.platform && options.setArchitecture ? { setArchitecture: options.setArchitecture } : {}),
    ...(options.onBuilding ? { onBuilding: options.onBuilding } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(distro.settings.audit
      ? { audit: buildEndAudit(engine, distro, strategy, prefixes, options.onInfo ?? (() => undefined)) }
      : {}),
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
  return { results, unsupported, tags: Object.fromEntries(jobs.map((j) => [j.name, j.tag])) };
}
