import { type ImageConfig, parseImageConfig } from './image-config.js';
import { checkIntegrity } from './integrity.js';
import { type PlannedMember, planLayers } from './layout.js';
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
export async function readImage<T>(save: NodeJS.ReadableStream, sink: LayerSink<T>): Promise<SavedImage<T>> {
  const archive = await readSave(save, sink);
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
