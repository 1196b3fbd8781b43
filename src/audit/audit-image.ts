import { auditPrefix, type Violation } from './audit-prefix.js';
import { distroArchitecture } from '../manifest/distro-for-architecture.js';
import { hasStrategy, type Distro, type ImageModel, type Strategy } from '../manifest/model.js';
import { checkContract } from './check-contract.js';
import type { PrefixCache, PrefixSource } from '../prefix-cache/prefix-cache.js';

/** What the audit needs from the engine: what extraction needs. */
export type AuditEngine = PrefixSource;

export interface ImageAudit {
  image: string;
  tag: string;
  /** Regular files under the prefix. */
  files: number;
  /** Of those, ELF files. */
  elfFiles: number;
  /** The static audit's and the contract check's findings, by file. */
  violations: Violation[];
  /** Run-time dependencies without an image: not mounted; symlinks into their prefixes are left unchecked. */
  notBuilt: string[];
}

/**
 * Audits the built image of `image` as it runs: with the prefixes of its built run-time dependencies
 * (transitively) mounted beside it. Nothing may resolve outside those prefixes, the image may hold nothing
 * outside its own, and every contract tool must be there.
 */
export async function auditImage(
  engine: AuditEngine,
  distro: Distro,
  image: ImageModel,
  strategy: Strategy,
  prefixes: PrefixCache,
): Promise<ImageAudit> {
  const tag = distro.index.tag(image, strategy);
  const deps = distro.index.runDeps(image);
  const built = await Promise.all(
    deps.map(
      async (d) =>
        hasStrategy(d, strategy) && (await engine.images.inspect(distro.index.tag(d, strategy))) !== undefined,
    ),
  );
  const mounted = deps.filter((_, i) => built[i]);
  const unbuilt = deps.filter((_, i) => !built[i]);
  const extract = (i: ImageModel) => prefixes.get(distro.index.tag(i, strategy), i.prefix);
  const [subject, depTrees] = await Promise.all([extract(image), Promise.all(mounted.map(extract))]);
  const depRoots = depTrees.map((t) => t.root);
  const report = await auditPrefix(subject.root, depRoots, {
    outside: subject.outside,
    architecture: distroArchitecture(distro),
    unbuilt: unbuilt.map((d) => d.prefix),
  });
  return {
    image: image.name,
    tag,
    files: report.files,
    elfFiles: report.elfFiles,
    violations: [...report.violations, ...(await checkContract(image, [subject.root, ...depRoots]))],
    notBuilt: unbuilt.map((d) => d.name),
  };
}

/** "310 files, 216 ELF checked: ok", as the build and verify print an audit. */
export function auditSummary(audit: ImageAudit): string {
  const n = audit.violations.length;
  const verdict = n === 0 ? 'ok' : `${n} violation${n === 1 ? '' : 's'}`;
  return `${audit.files} file${audit.files === 1 ? '' : 's'}, ${audit.elfFiles} ELF checked: ${verdict}`;
}

/** One line per violation, as errors and reports print them. */
export function describeViolations(violations: readonly Violation[]): string[] {
  return violations.map((v) => `${v.file}: ${v.problem}`);
}
