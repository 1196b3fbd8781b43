import path from 'node:path';
import { DappdepsError } from '../errors.js';
import { hasStrategy, imageTag, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';
import { renderDistro } from '../render/render-distro.js';
import { buildEndAudit } from '../audit/build-end-audit.js';
import { buildImage, type ImageJob } from './build-image.js';
import type { BuildEngine } from './build-engine.js';
import { contentHash } from './content-hash.js';
import { runDag, type NodeResult } from './dag-scheduler.js';
import { PrefixCache, prefixCacheDir } from '../prefix-cache/prefix-cache.js';

export interface BuildDistroOptions {
  strategy: Strategy;
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
  /** An image is being built (it was not in the cache). */
  onBuilding?(name: string): void;
  /** A side note, e.g. an image's audit result. */
  onInfo?(message: string): void;
  onFinish?(result: NodeResult): void;
}

export interface BuildSummary {
  results: NodeResult[];
  /** Images asked for that have no manifest section for the strategy (e.g. chefdk in binary). */
  unsupported: string[];
  tags: Record<string, string>;
}

/** Build the distro (or the named images and what they need) in dependency order, in parallel. */
export async function buildDistro(
  distro: Distro,
  engine: BuildEngine,
  options: BuildDistroOptions,
): Promise<BuildSummary> {
  const { strategy } = options;
  const selected = selectWithBuildDeps(
    distro,
    options.names?.length ? options.names : distro.images.map((i) => i.name),
  );
  const unsupported = selected.filter((i) => !hasStrategy(i, strategy)).map((i) => i.name);
  const buildable = selected.filter((i) => hasStrategy(i, strategy));

  const contexts = await renderDistro(distro, buildable, [strategy]);
  const jobs = new Map<string, ImageJob>();
  // Selection order is dependency order, so every dependency's hash is known when a dependent's is computed.
  for (const image of buildable) {
    const ctx = contexts.find((c) => c.image === image);
    if (!ctx) continue;
    const deps = image.manifest.dependencies.build.map((name) => {
      const dep = distro.images.find((i) => i.name === name);
      if (!dep) throw new Error(`unknown dependency ${name}`);
      return { name, tag: imageTag(distro, dep, strategy), prefix: dep.prefix };
    });
    const depHashes = Object.fromEntries(deps.map((d) => [d.name, jobs.get(d.name)?.hash ?? 'missing']));
    const hash = contentHash({
      strategy,
      baseImage: distro.settings[strategy].baseImage,
      manifest: image.manifest,
      files: ctx.files,
      deps: depHashes,
    });
    jobs.set(image.name, {
      name: image.name,
      tag: imageTag(distro, image, strategy),
      hash,
      files: ctx.files,
      buildDeps: deps,
    });
  }

  if (jobs.size > 0) await options.ensureBaseImage(distro.settings[strategy].baseImage);

  const prefixes = new PrefixCache(engine, prefixCacheDir(options.workDir));
  const settings = {
    engine,
    prefixes,
    logDir: path.join(options.workDir, 'logs'),
    force: options.force,
    nocache: options.nocache ?? false,
    idleTimeoutMs: options.idleTimeoutMs,
    ...(options.onBuilding ? { onBuilding: options.onBuilding } : {}),
    ...(distro.settings.audit
      ? { audit: buildEndAudit(engine, distro, strategy, prefixes, options.onInfo ?? (() => undefined)) }
      : {}),
  };
  const nodes = buildable.map((i) => ({
    name: i.name,
    deps: i.manifest.dependencies.build.filter((d) => jobs.has(d)),
  }));
  const results = await runDag(
    nodes,
    async (name, signal) => {
      const job = jobs.get(name);
      if (!job) throw new Error(`no job for ${name}`);
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
  return { results, unsupported, tags: Object.fromEntries([...jobs.values()].map((j) => [j.name, j.tag])) };
}

/** The named images plus their transitive build-time dependencies, in distro dependency order. */
export function selectWithBuildDeps(distro: Distro, names: readonly string[]): ImageModel[] {
  const ordered: ImageModel[] = [];
  const visit = (image: ImageModel): void => {
    if (ordered.includes(image)) return;
    for (const dep of image.manifest.dependencies.build) {
      const d = distro.images.find((i) => i.name === dep);
      if (d) visit(d);
    }
    ordered.push(image);
  };
  for (const image of distro.images) if (names.includes(image.name)) visit(image);
  return ordered;
}
