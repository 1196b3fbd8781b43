import { z } from 'zod';
import { DappdepsError } from '../errors.js';
import { refused } from './integrity-error.js';
import { MAX_INDEX_DEPTH } from './limits.js';
import {
  type Descriptor,
  INDEX_JSON,
  MANIFEST_JSON,
  blobPath,
  dockerManifest,
  ociIndex,
  ociManifest,
} from './save-format.js';
import { type SaveArchive, metadataJson, resolveMember } from './save-members.js';

/** An archive member the image uses, with the OCI descriptor that named it (legacy manifests have none). */
export interface PlannedMember {
  member: string;
  descriptor?: Descriptor;
}

/** The saved image: its layers as archive members, lowest first, its config, and what named them. */
export interface LayerPlan {
  format: 'legacy' | 'oci';
  layers: PlannedMember[];
  config: PlannedMember | undefined;
  /** OCI manifests and nested indexes walked to find the image (index.json itself is not a blob). */
  manifests: PlannedMember[];
}

/**
 * Docker writes manifest.json in both layouts (Docker >= 25 beside an OCI index.json); a pure OCI layout is
 * walked from index.json to the image manifest. Whatever is present must be readable: a corrupt manifest.json
 * is refused, never passed over for index.json. When both are present they must name the same layers and
 * config, or the archive is refused: which one a consumer reads would decide what it gets.
 */
export function planLayers(archive: SaveArchive): LayerPlan {
  const present = (name: string) => archive.members.has(name) || archive.aliases.has(name);
  const docker = present(MANIFEST_JSON) ? dockerImage(archive) : undefined;
  const oci = present(INDEX_JSON) ? ociImage(archive) : undefined;
  if (docker && oci) {
    const same = (a: PlannedMember | undefined, b: PlannedMember | undefined) => a?.member === b?.member;
    if (
      docker.layers.length !== oci.layers.length ||
      docker.layers.some((layer, i) => !same(layer, oci.layers[i])) ||
      (docker.config !== undefined && !same(docker.config, oci.config))
    ) {
      throw refused('manifest.json and index.json describe different images: refusing the archive');
    }
    return oci; // the same members, with descriptors to check them against
  }
  const plan = oci ?? docker;
  if (!plan) throw new DappdepsError('not a docker save archive: it has neither manifest.json nor index.json');
  return plan;
}

function dockerImage(archive: SaveArchive): LayerPlan {
  return only(dockerImages(archive), MANIFEST_JSON);
}

/** Every image manifest.json lists (`docker save` of several images writes one entry each), with its names. */
export function dockerImages(archive: SaveArchive): Array<LayerPlan & { names: string[] }> {
  const images = parse(dockerManifest, metadataJson(archive, MANIFEST_JSON), MANIFEST_JSON);
  const member = (name: string) => ({ member: resolveMember(archive.aliases, name) });
  return images.map((image) => ({
    format: 'legacy',
    layers: image.Layers.map(member),
    config: image.Config === undefined ? undefined : member(image.Config),
    manifests: [],
    names: image.RepoTags ?? [],
  }));
}

function ociImage(archive: SaveArchive): LayerPlan {
  const found: Array<{ manifest: z.infer<typeof ociManifest>; walked: PlannedMember[] }> = [];
  collectManifests(archive, 'index.json', [], found, 0);
  const { manifest, walked } = only(found, 'index.json');
  const blob = (d: Descriptor): PlannedMember => ({
    member: resolveMember(archive.aliases, blobPath(d.digest)),
    descriptor: d,
  });
  const layers = manifest.layers.map((layer) => {
    if (layer.mediaType?.includes('zstd')) {
      throw new DappdepsError(`layer ${layer.digest} is ${layer.mediaType}, and Node 20 has no zstd decoder`);
    }
    return blob(layer);
  });
  return { format: 'oci', layers, config: manifest.config && blob(manifest.config), manifests: walked };
}

/** Image manifests reachable from `member` whose blobs are in the archive (a save holds one platform). */
function collectManifests(
  archive: SaveArchive,
  member: string,
  walked: PlannedMember[],
  found: Array<{ manifest: z.infer<typeof ociManifest>; walked: PlannedMember[] }>,
  depth: number,
): void {
  if (depth > MAX_INDEX_DEPTH) throw new DappdepsError(`image indexes nested more than ${MAX_INDEX_DEPTH} deep`);
  const json = metadataJson(archive, member);
  const manifest = ociManifest.safeParse(json);
  if (manifest.success) {
    found.push({ manifest: manifest.data, walked });
    return;
  }
  for (const d of parse(ociIndex, json, member).manifests) {
    const blob = resolveMember(archive.aliases, blobPath(d.digest));
    if (archive.members.has(blob))
      collectManifests(archive, blob, [...walked, { member: blob, descriptor: d }], found, depth + 1);
  }
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
