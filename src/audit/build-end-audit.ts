import type { Distro, ImageModel, Strategy } from '../manifest/model.js';
import { auditImage, auditSummary, type AuditEngine, type ImageAudit } from './audit-image.js';
import type { PrefixCache } from '../prefix-cache/prefix-cache.js';

/**
 * The audit run at the end of each build: the new image with its run-time dependencies that are built.
 * One not built yet is only reported: its files load nothing of theirs, and the few symlinks made into its prefix
 * (`binary.links`) are left to verify, which audits with every dependency built. Extractions land in the build's
 * prefix cache, where the dependents' builds find them.
 */
export function buildEndAudit(
  engine: AuditEngine,
  distro: Distro,
  strategy: Strategy,
  prefixes: PrefixCache,
  onInfo: (message: string) => void,
): (image: ImageModel) => Promise<ImageAudit> {
  return async (image) => {
    const { name } = image;
    const audit = await auditImage(engine, distro, image, strategy, prefixes);
    if (audit.notBuilt.length > 0)
      onInfo(`${name}: audited without its run-time dependencies ${audit.notBuilt.join(', ')} (not built yet)`);
    onInfo(`${name}: audited ${auditSummary(audit)}`);
    return audit;
  };
}
