import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { peek } from '../archive/tar/peek-stream.js';
import { resolveMember } from '../image/save-members.js';
import { SNIFF_BYTES, sniff } from '../archive/tar/sniff.js';
import { forEachMember, recordAlias } from '../archive/tar/tar-members.js';
import { DappdepsError } from '../errors.js';

/** A layer of a saved image, as a file on disk. */
export interface LayerFile {
  file: string;
  gzip: boolean;
}

/** A `docker save` archive of one image, spread on disk: its layers as files, its config in memory. */
export interface SavedImage {
  /** The image configuration, byte for byte as the archive holds it. */
  config: Buffer;
  /** Lowest first. */
  layers: LayerFile[];
}

/** Metadata (manifests, configs) is small; a bigger member that is not a layer is drained, not kept. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;

/** Docker (legacy and >= 25) and Podman all write manifest.json, naming the config and layer members. */
const dockerManifest = z.array(z.looseObject({ Config: z.string(), Layers: z.array(z.string()) })).length(1);

/**
 * Writes the layers of a `docker save` stream of an image the engine just made (a commit) into `dir` as they
 * arrive, so memory stays bounded whatever their size, and returns them in manifest order with the config.
 * Unlike extractImage's reader, nothing is extracted: the layers are kept as the tars they are.
 */
export async function saveToDisk(save: NodeJS.ReadableStream, dir: string): Promise<SavedImage> {
  const files = new Map<string, LayerFile>();
  const metadata = new Map<string, Buffer>();
  const aliases = new Map<string, string>();
  await forEachMember(save, async ({ path: name, header, body }) => {
    if (recordAlias(name, header, aliases) || !body) return;
    const { head, all } = await peek(body as AsyncIterable<Buffer>, SNIFF_BYTES);
    const kind = sniff(head);
    if (kind === 'tar' || kind === 'gzip') {
      const file = path.join(dir, `layer-${files.size}`);
      await pipeline(all, createWriteStream(file));
      files.set(name, { file, gzip: kind === 'gzip' });
    } else if (kind === 'json' && (header.size ?? 0) <= MAX_METADATA_BYTES) {
      metadata.set(name, Buffer.concat(await all.toArray()));
    } else {
      all.resume();
      await finished(all);
    }
  });
  const manifestBytes = metadata.get('manifest.json');
  if (!manifestBytes) throw new DappdepsError('the saved image has no manifest.json');
  const parsed = dockerManifest.safeParse(JSON.parse(manifestBytes.toString('utf8')));
  if (!parsed.success) throw new DappdepsError('the saved image has a manifest.json docker does not write');
  const [manifest] = parsed.data;
  const config = manifest ? metadata.get(resolveMember(aliases, manifest.Config)) : undefined;
  if (!manifest || !config) throw new DappdepsError('the saved image has no config');
  const layers = manifest.Layers.map((name) => {
    const layer = files.get(resolveMember(aliases, name));
    if (!layer) throw new DappdepsError(`the saved image names layer ${name}, which is not in the archive`);
    return layer;
  });
  return { config, layers };
}
