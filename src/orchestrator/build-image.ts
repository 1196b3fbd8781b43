import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Builder } from '../docker/types.js';
import { AuditError } from '../errors.js';
import { labels } from '../labels.js';
import type { GraphNode } from '../graph/dependency-graph.js';
import type { ImageModel } from '../manifest/model.js';
import type { RenderedFiles } from '../render/rendered-files.js';
import { describeViolations, type ImageAudit } from '../audit/audit-image.js';
import type { BuildEngine } from './build-engine.js';
import { lockedPackageCount, stepTracker, type BuildStep } from './build-step.js';
import { contextTar, type InjectedTree } from './context-tar.js';
import type { TaskOutcome } from './dag-scheduler.js';
import type { ImageCache } from './image-cache.js';
import type { PrefixCache } from '../prefix-cache/prefix-cache.js';

/** One image to build, with every fact about it computed once; the scheduler carries it. */
export interface ImageJob extends GraphNode {
  image: ImageModel;
  tag: string;
  hash: string;
  /** Built even when an image with its tag and content hash exists. */
  forced: boolean;
  files: RenderedFiles;
  /** `buildkit`: its Dockerfile mounts the build-time dependencies, so none is extracted into the context. */
  builder: Builder;
  /** Build-time dependencies: already built (the scheduler guarantees it). */
  buildDeps: { name: string; tag: string; prefix: string }[];
}

export interface BuildSettings {
  engine: Pick<BuildEngine, 'images'>;
  /** Extracted prefixes of dependency images, shared with the build-end audit. */
  prefixes: PrefixCache;
  logDir: string;
  /** Passed to every build: docker's layer cache is not used either. */
  nocache?: boolean;
  idleTimeoutMs: number;
  /** `docker build --platform`, for a distro of another architecture than the engine's. */
  platform?: string;
  /** Given, the build is tagged `built` and this makes `tag` of it with the distro's architecture in its config
   * (the classic builder writes the engine's into a `FROM scratch` image, whatever the platform). */
  setArchitecture?(built: string, tag: string): Promise<void>;
  /** Called when an image is really built (not found in the cache), with the log file written as it goes. */
  onBuilding?(name: string, log: string): void;
  /** The build started a Dockerfile step, or the step said what it is doing. */
  onStep?(name: string, step: BuildStep): void;
  /** Audits a newly built image (distro setting `audit`); an image with violations is not accepted. */
  audit?(image: ImageModel): Promise<ImageAudit>;
  /** A shared cache asked before building (unless forced) and offered every image built. */
  cache?: ImageCache;
}

/** The cache's image of this content hash, audited as a build is; false when there is none or it is refused. */
async function restoreFromCache(job: ImageJob, settings: BuildSettings, cache: ImageCache): Promise<boolean> {
  if (!(await cache.restore(job))) return false;
  const audit = await settings.audit?.(job.image);
  if (!audit || audit.violations.length === 0) return true;
  await settings.engine.images.remove(job.tag);
  cache.refused(job, describeViolations(audit.violations).join('; '));
  return false;
}

/** The build log of the image `tag`, complete once its build ended. */
export function buildLogFile(logDir: string, tag: string): string {
  return path.join(logDir, `${tag.replace(/[/:]/g, '_')}.log`);
}

/** Build one image unless an image with its tag and content hash exists; returns what happened. */
export async function buildImage(job: ImageJob, settings: BuildSettings, signal: AbortSignal): Promise<TaskOutcome> {
  const { engine } = settings;
  const existing = await engine.images.inspect(job.tag);
  if (!job.forced && existing?.labels[labels.contentHash] === job.hash) return 'cached';
  if (!job.forced && settings.cache && (await restoreFromCache(job, settings, settings.cache))) return 'pulled';

  const trees: InjectedTree[] = [];
  for (const dep of job.builder === 'buildkit' ? [] : job.buildDeps) {
    trees.push({ at: `deps/${dep.name}`, dir: (await settings.prefixes.get(dep.tag, dep.prefix)).root.dir });
  }

  await mkdir(settings.logDir, { recursive: true });
  const logFile = buildLogFile(settings.logDir, job.tag);
  // Written under a name of this process, renamed when complete: two runs building the same image at once
  // each leave a whole log, never one interleaved or truncated by the other. `tail -f` of the live name
  // follows it through the rename.
  const partial = logFile.replace(/\.log$/, `.building-${process.pid}.log`);
  const log = createWriteStream(partial);
  settings.onBuilding?.(job.name, partial);
  const onStep = settings.onStep;
  const track = onStep
    ? stepTracker(lockedPackageCount(job.files.get('apt.lock')), (step) => onStep(job.name, step))
    : undefined;
  // The two builders' logs look nothing alike: the first line says which one this is.
  log.write(`dappdeps: build of ${job.tag} with the ${job.builder} builder, content hash ${job.hash}\n`);
  // With an architecture to set, the tag appears only once the config is right: an interrupted run leaves no
  // image with the content hash and the wrong architecture to be taken as cached.
  const built = settings.setArchitecture ? `${job.tag}-unset-arch` : job.tag;
  try {
    await engine.images.build({
      image: job.name,
      context: contextTar(job.files, trees),
      tag: built,
      labels: { [labels.contentHash]: job.hash, 'org.opencontainers.image.created': new Date().toISOString() },
      onLine: (line) => {
        log.write(`${line.text}\n`);
        track?.(line.text);
      },
      logFile,
      idleTimeoutMs: settings.idleTimeoutMs,
      nocache: settings.nocache ?? false,
      ...(settings.platform ? { platform: settings.platform } : {}),
      builder: job.builder,
      signal,
    });
  } finally {
    await new Promise((resolve) => log.end(resolve));
    await rename(partial, logFile);
  }
  await settings.setArchitecture?.(built, job.tag);
  if (settings.audit) settings.onStep?.(job.name, { step: 'audit of the built image' });
  const audit = await settings.audit?.(job.image);
  if (audit && audit.violations.length > 0) {
    // Untagged, the image is not accepted: the next run does not find it cached and builds it again.
    await engine.images.remove(job.tag);
    throw new AuditError(job.tag, describeViolations(audit.violations));
  }
  await settings.cache?.store(job);
  return 'built';
}
