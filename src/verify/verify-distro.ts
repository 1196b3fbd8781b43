import type { PrefixCache } from '../prefix-cache/prefix-cache.js';
import { builtImages } from '../volumes/volume-containers.js';
import type { DockerClient } from '../docker/docker-client.js';
import { NotBuiltError } from '../errors.js';
import { hasStrategy, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';
import { auditImage, type ImageAudit } from '../audit/audit-image.js';
import { runSmokeMatrix, volumesFor, type SmokeResult } from './smoke-matrix.js';
import { ensureSmokeTargets } from './smoke-targets.js';
import { QUICK_TARGETS, type TargetName } from './target-names.js';
import { runTargetChecks, type TargetCheck } from './target-checks.js';

export interface VerifyOptions {
  strategy: Strategy;
  /** The images to verify, in distro order. */
  images: readonly ImageModel[];
  smoke: boolean;
  /** The smoke matrix' targets (default: the quick set). */
  targets?: readonly TargetName[];
  signal: AbortSignal;
  /** Where images' prefixes are extracted (shared with builds: an image is extracted once). */
  prefixes: PrefixCache;
  /** Progress for the user ("auditing 4 images"). */
  onProgress?(message: string): void;
}

export interface VerifyReport {
  strategy: Strategy;
  audits: ImageAudit[];
  /** Images asked for that have no manifest section for the strategy (e.g. chefdk in binary). */
  unsupported: string[];
  /** The matrix' columns; empty without smoke. */
  targets: string[];
  smoke: SmokeResult[];
  targetChecks: TargetCheck[];
}

/**
 * Audits the built images (and the contract), then runs their smoke commands in every target. Everything
 * runs to the end so one report shows every problem; `verifyFailures` says whether it passed.
 */
export async function verifyDistro(
  docker: DockerClient,
  distro: Distro,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const { strategy, signal, onProgress = () => undefined } = options;
  const images = options.images.filter((i) => hasStrategy(i, strategy));
  const unsupported = options.images.filter((i) => !hasStrategy(i, strategy)).map((i) => i.name);
  const needed = distro.index.withRunDeps(images);
  const built = await builtImages(docker, distro, needed, strategy);
  const missing = needed.filter((i) => !built.includes(i));
  if (missing.length > 0)
    throw new NotBuiltError(
      missing.map((i) => ({ name: i.name, tag: distro.index.tag(i, strategy) })),
      strategy,
    );

  onProgress(`auditing ${images.length} image${images.length === 1 ? '' : 's'}`);
  const audits = await Promise.all(images.map((i) => auditImage(docker, distro, i, strategy, options.prefixes)));
  const report: VerifyReport = { strategy, audits, unsupported, targets: [], smoke: [], targetChecks: [] };
  if (!options.smoke || images.length === 0) return report;

  const targets = await ensureSmokeTargets(docker, distro, signal, onProgress, options.targets ?? QUICK_TARGETS);
  onProgress(`running the smoke commands in ${targets.map((t) => t.image).join(', ')}`);
  report.targets = targets.map((t) => t.name);
  report.smoke = await runSmokeMatrix(docker, distro, images, strategy, targets, signal);
  for (const target of targets) {
    report.targetChecks.push(...(await runTargetChecks(docker, target, images, volumesFor(distro, images), signal)));
  }
  return report;
}

export interface VerifyFailures {
  /** The images (or, for target checks, targets) with a failure. */
  subjects: string[];
  /** One line per failed part of the report. */
  lines: string[];
}

/** What failed in the report; nothing when it passed. */
export function verifyFailures(report: VerifyReport): VerifyFailures {
  const failed: [subject: string, line: string][] = [];
  for (const a of report.audits) {
    const n = a.violations.length;
    if (n > 0) failed.push([a.image, `${a.image}: ${n} audit violation${n === 1 ? '' : 's'}`]);
    if (a.notBuilt.length > 0)
      failed.push([a.image, `${a.image}: run-time dependencies not built: ${a.notBuilt.join(', ')}`]);
  }
  for (const s of report.smoke)
    if (!s.passed) failed.push([s.image, `${s.image} in ${s.target}: ${s.argv.join(' ')} failed`]);
  for (const c of report.targetChecks) if (!c.passed) failed.push([c.target, `${c.target}: ${c.name}: failed`]);
  return { subjects: [...new Set(failed.map(([subject]) => subject))], lines: failed.map(([, line]) => line) };
}
