import { z } from 'zod';

/**
 * The formats a `docker save` archive comes in, as schemas: `manifest.json` (legacy Docker, Docker >= 25
 * beside an OCI layout, Podman's docker-archive) and the OCI index and manifest. The only copies in src/.
 */
export const MANIFEST_JSON = 'manifest.json';
export const INDEX_JSON = 'index.json';

/** One image of `manifest.json`: its config member, its layer members (lowest first) and its names. */
export const dockerManifest = z.array(
  z.looseObject({
    Config: z.string().optional(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
  }),
);
export type DockerManifest = z.infer<typeof dockerManifest>;

export const descriptor = z.looseObject({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, 'not an OCI digest'),
  size: z.int().nonnegative().optional(),
});
export type Descriptor = z.infer<typeof descriptor>;

export const ociIndex = z.looseObject({ manifests: z.array(descriptor) });
export const ociManifest = z.looseObject({ config: descriptor.optional(), layers: z.array(descriptor) });
export type OciManifest = z.infer<typeof ociManifest>;

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** The member an OCI digest names: `blobs/<algorithm>/<hex>`. */
export function blobPath(digest: string): string {
  const colon = digest.indexOf(':');
  return `blobs/${digest.slice(0, colon)}/${digest.slice(colon + 1)}`;
}
