import type { ImageConfig } from './image-config.js';
import { refused } from './integrity-error.js';
import type { LayerPlan, PlannedMember } from './layout.js';
import type { ReadLayer, SaveArchive } from './save-members.js';

/** Blob paths of the OCI layout, and legacy configs (`<image id>.json`, the id being the config's sha256). */
const DIGEST_NAMED = [/^blobs\/([^/]+)\/([^/]+)$/, /^()([a-f0-9]{64})\.json$/];

/**
 * Checks every member the plan uses against what names it, before anything is moved into place: a blob's
 * content against the digest in its path, an OCI descriptor's size and compression against the blob, and each
 * layer's uncompressed digest against the config's `rootfs.diff_ids` (when it lists them). Members nothing
 * references are not looked at.
 */
export function checkIntegrity<T>(
  archive: SaveArchive<T>,
  plan: LayerPlan,
  layers: ReadonlyArray<ReadLayer<T>>,
  config: ImageConfig | undefined,
): void {
  for (const used of [...plan.manifests, ...(plan.config ? [plan.config] : []), ...plan.layers]) {
    checkMember(archive, used);
  }
  plan.layers.forEach((used, i) => checkCompression(used, layers[i]));
  const diffIds = config?.rootfs?.diff_ids;
  if (diffIds === undefined) return;
  if (diffIds.length !== layers.length) {
    throw refused(
      `image config lists ${diffIds.length} layers (rootfs.diff_ids), the manifest ${layers.length}: refusing the archive`,
    );
  }
  layers.forEach((layer, i) => {
    if (diffIds[i] !== `sha256:${layer.diffId}`) {
      throw refused(
        `layer ${plan.layers[i]?.member} does not match the image config: its content is sha256:${layer.diffId}, rootfs.diff_ids[${i}] says ${diffIds[i]}`,
      );
    }
  });
}

function checkMember<T>(archive: SaveArchive<T>, used: PlannedMember): void {
  const stored = archive.members.get(used.member);
  if (!stored) return; // missing members are reported by whoever reads them, with what they were for
  for (const pattern of DIGEST_NAMED) {
    const named = pattern.exec(used.member);
    if (!named) continue;
    const algorithm = named[1] || 'sha256';
    if (algorithm !== 'sha256') throw refused(`${used.member}: digest algorithm ${algorithm} is not supported`);
    if (named[2] !== stored.digest) {
      throw refused(`${used.member} does not match its digest: its content is sha256:${stored.digest}`);
    }
  }
  const size = used.descriptor?.size;
  if (size !== undefined && size !== stored.size) {
    throw refused(`${used.member} is ${stored.size} bytes, its descriptor says ${size}: refusing the archive`);
  }
}

/** A media type that says gzip must hold gzip, and a plain `.tar` one a plain tar. */
function checkCompression<T>(used: PlannedMember, layer: ReadLayer<T> | undefined): void {
  const mediaType = used.descriptor?.mediaType;
  if (!mediaType || !layer) return;
  const says = /[+.]gzip$/.test(mediaType) ? true : /\.tar$/.test(mediaType) ? false : undefined;
  if (says !== undefined && says !== layer.gzip) {
    throw refused(
      `${used.member} is ${layer.gzip ? 'gzip-compressed' : 'an uncompressed tar'}, its descriptor says ${mediaType}`,
    );
  }
}
