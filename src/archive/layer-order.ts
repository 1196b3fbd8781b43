import { z } from 'zod';
import { DappdepsError } from '../errors.js';
import { type SaveArchive, memberPath, metadataJson } from './save-archive.js';

/** The layers of the saved image as archive member paths, lowest first, its config, and the layout naming them. */
export interface LayerPlan {
  format: 'legacy' | 'oci';
  layers: string[];
  /** The image configuration's member path, when the manifest names one. */
  config?: string;
}

const dockerManifest = z.array(z.looseObject({ Config: z.string().optional(), Layers: z.array(z.string()) }));
const descriptor = z.looseObject({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, 'not an OCI digest'),
});
const ociIndex = z.looseObject({ manifests: z.array(descriptor) });
const ociManifest = z.looseObject({ config: descriptor, layers: z.array(descriptor) });
type OciManifest = z.infer<typeof ociManifest>;

/** Nested indexes (multi-platform images) are one or two deep in practice. */
const MAX_INDEX_DEPTH = 4;

/**
 * Docker writes manifest.json in both layouts (Docker >= 25 beside an OCI index.json), listing layer members
 * in order; it is used when present. A pure OCI layout is walked from index.json to the image manifest.
 */
export function planLayers(archive: SaveArchive<unknown>): LayerPlan {
  const format = archive.metadata.has('index.json') ? 'oci' : 'legacy';
  if (archive.metadata.has('manifest.json')) return { format, ...dockerLayers(archive) };
  if (format === 'oci') return { format, ...ociLayers(archive) };
  throw new DappdepsError('not a docker save archive: it has neither manifest.json nor index.json');
}

function dockerLayers(archive: SaveArchive<unknown>): { layers: string[]; config?: string } {
  const images = parse(dockerManifest, metadataJson(archive, 'manifest.json'), 'manifest.json');
  const { Layers, Config } = only(images, 'manifest.json');
  return { layers: Layers, ...(Config === undefined ? {} : { config: memberPath(Config) }) };
}

function ociLayers(archive: SaveArchive<unknown>): { layers: string[]; config: string } {
  const found = new Map<string, OciManifest>();
  collectManifests(archive, 'index.json', found, 0);
  const manifest = only([...found.values()], 'index.json');
  const layers = manifest.layers.map((layer) => {
    if (layer.mediaType?.includes('zstd')) {
      throw new DappdepsError(`layer ${layer.digest} is ${layer.mediaType}, and Node 20 has no zstd decoder`);
    }
    return blobPath(layer.digest);
  });
  return { layers, config: blobPath(manifest.config.digest) };
}

/** Image manifests reachable from `member` whose blobs are in the archive (a save holds one platform). */
function collectManifests(
  archive: SaveArchive<unknown>,
  member: string,
  found: Map<string, OciManifest>,
  depth: number,
): void {
  if (depth > MAX_INDEX_DEPTH) throw new DappdepsError(`image indexes nested more than ${MAX_INDEX_DEPTH} deep`);
  const json = metadataJson(archive, member);
  const manifest = ociManifest.safeParse(json);
  if (manifest.success) {
    found.set(member, manifest.data);
    return;
  }
  for (const { digest } of parse(ociIndex, json, member).manifests) {
    const blob = blobPath(digest);
    if (archive.metadata.has(blob)) collectManifests(archive, blob, found, depth + 1);
  }
}

function blobPath(digest: string): string {
  const colon = digest.indexOf(':');
  return `blobs/${digest.slice(0, colon)}/${digest.slice(colon + 1)}`;
}

function only<T>(images: readonly T[], source: string): T {
  const [image, ...more] = images;
  if (image === undefined || more.length > 0) {
    throw new DappdepsError(`${source} describes ${images.length} images; extract exactly one per archive`);
  }
  return image;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, member: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new DappdepsError(`${member} is not as docker save writes it:\n${z.prettifyError(result.error)}`);
  return result.data;
}
