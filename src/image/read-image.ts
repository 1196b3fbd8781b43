import { DappdepsError } from '../errors.js';
import { type ImageConfig, imageIdOf, parseImageConfig } from './image-config.js';
import { checkIntegrity } from './integrity.js';
import { type PlannedMember, dockerImages, planLayers } from './layout.js';
import { type LayerSink, readSave } from './read-save.js';
import { type ReadLayer, type SaveArchive, metadataJson, resolveMember, stagedLayer } from './save-members.js';

/** One image as a `docker save` archive holds it, every member checked against what names it. */
export interface SavedImage<T> {
  format: 'legacy' | 'oci';
  /** The image configuration, typed, and its bytes as stored (the image id is their sha256). */
  config: { value: ImageConfig; bytes: Buffer } | undefined;
  /** Lowest first; a layer the manifest names twice is here twice. */
  layers: Array<ReadLayer<T> & { member: string }>;
}

/**
 * Reads the one image of a `docker save` stream in any layout (legacy, OCI, Docker >= 25, Podman's
 * docker-archive), handing each layer to `sink` as it arrives, then resolves its manifest, checks every member
 * it uses (digests, sizes, compression, diff_ids) and parses its config. Layers nothing references are
 * discarded. On any failure everything the sink made is discarded and the promise rejects.
 */
export async function readImage<T>(
  save: NodeJS.ReadableStream,
  sink: LayerSink<T>,
  what = 'the image',
): Promise<SavedImage<T>> {
  const archive = await readSave(save, sink).catch((error: unknown) => {
    throw streamFailure(error, what);
  });
  const discardAll = async (except: ReadonlySet<string>) => {
    for (const [member, layer] of archive.layers) if (!except.has(member)) await sink.discard?.(layer.value);
  };
  try {
    const plan = planLayers(archive);
    const layers = plan.layers.map(({ member }) => ({ ...stagedLayer(archive, member), member }));
    const config = plan.config && readConfig(archive, plan.config);
    checkIntegrity(archive, plan, layers, config?.value);
    await discardAll(new Set(layers.map((l) => l.member)));
    return { format: plan.format, config, layers };
  } catch (error) {
    await discardAll(new Set());
    throw error;
  }
}

function readConfig<T>(archive: SaveArchive<T>, used: PlannedMember): SavedImage<T>['config'] {
  metadataJson(archive, used.member); // missing, not metadata or not JSON: said the same way as for manifests
  const bytes = archive.metadata.get(resolveMember(archive.aliases, used.member)) ?? Buffer.alloc(0);
  return { value: parseImageConfig(bytes, `image config ${used.member}`), bytes };
}

/** What checkSave found: each image of the archive by its names and id. */
export interface CheckedImage {
  names: string[];
  id: string;
}

/**
 * Reads a `docker save` archive of one or more images (`docker save a b`, a bundle) through the same reader and
 * checks every image manifest.json lists as readImage checks one: digests, sizes, diff_ids. Nothing is kept.
 */
export async function checkSave(save: NodeJS.ReadableStream): Promise<CheckedImage[]> {
  const archive = await readSave(save, { take: drain }).catch((error: unknown) => {
    throw streamFailure(error, 'the images');
  });
  const images = dockerImages(archive);
  // One image (Docker >= 25 writes index.json beside it): planLayers also holds the two manifests to each other.
  const plans = images.length === 1 ? [{ ...planLayers(archive), names: images[0]?.names ?? [] }] : images;
  return plans.map((plan) => {
    const layers = plan.layers.map(({ member }) => stagedLayer(archive, member));
    const config = plan.config && readConfig(archive, plan.config);
    checkIntegrity(archive, plan, layers, config?.value);
    return { names: plan.names, id: config ? imageIdOf(config.bytes) : '' };
  });
}

async function drain(tar: NodeJS.ReadableStream): Promise<void> {
  for await (const _chunk of tar);
}

/**
 * A failure of the stream itself (not of what it holds) as one line: the connection to the engine broke.
 * A failed system call is left to the caller, who knows which folder it was writing.
 */
function streamFailure(error: unknown, what: string): unknown {
  if (error instanceof DappdepsError || (error instanceof Error && 'syscall' in error)) return error;
  return new DappdepsError(
    `reading ${what} from its docker save stream failed: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
      hint: 'the connection to the engine broke (an engine restart or a dropped socket); nothing was left behind: run again',
    },
  );
}
