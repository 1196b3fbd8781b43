import type { PrefixCache } from '../prefix-cache/prefix-cache.js';
import type { DockerClient } from '../docker/docker-client.js';
import { AuditError } from '../errors.js';
import type { Distro, ImageModel, Strategy } from '../manifest/model.js';
import { auditImage, auditSummary, describeViolations } from '../audit/audit-image.js';
import { remoteDistro } from './registry.js';

export interface Pulled {
  image: string;
  /** The local name it now has, as if built here. */
  tag: string;
  /** The audit's one-line verdict, or why there was none. */
  audit: string;
}

/**
 * Pulls the images from `registry`, audits each under its registry name (with its pulled run-time dependencies
 * mounted, as `verify` does), and only when every one passes gives them their local names. A pulled image
 * with violations is refused: the registry names are removed, and no local name changes.
 */
export async function pullImages(
  docker: DockerClient,
  distro: Distro,
  images: readonly ImageModel[],
  strategy: Strategy,
  registry: string,
  prefixes: PrefixCache,
): Promise<Pulled[]> {
  const remote = remoteDistro(distro, registry);
  const refs = images.map((image) => remote.index.tag(image, strategy));
  try {
    for (const ref of refs) await docker.images.pull(ref);
    const verdicts: string[] = [];
    for (const image of images) {
      if (!distro.settings.audit) {
        verdicts.push('not audited (distro.yaml: audit: false)');
        continue;
      }
      const audit = await auditImage(docker, remote, image, strategy, prefixes);
      if (audit.violations.length > 0)
        throw new AuditError(`pulled image ${audit.tag} (refused, not tagged)`, describeViolations(audit.violations));
      verdicts.push(auditSummary(audit));
    }
    for (const [i, image] of images.entries())
      await docker.images.tag(refs[i] as string, distro.index.tag(image, strategy));
    return images.map((image, i) => ({
      image: image.name,
      tag: distro.index.tag(image, strategy),
      audit: verdicts[i] ?? '',
    }));
  } finally {
    for (const ref of refs) await docker.images.remove(ref);
  }
}
