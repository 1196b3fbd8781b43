import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { extractLayer } from './extract-layer.js';
import type { Keep } from './layer-policy.js';
import { peek } from './peek-stream.js';
import { type SaveArchive, memberPath } from './save-archive.js';
import { SNIFF_BYTES, sniff } from './sniff.js';

/** Metadata (manifests, configs, index) is small; a bigger member that is not a layer is drained, not kept. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;

/**
 * Reads a `docker save` stream as it arrives. The manifest may come last, so every member that sniffs as a
 * layer is extracted into its own directory under `staging` right away; metadata is kept in memory.
 */
export async function readSaveArchive(save: NodeJS.ReadableStream, staging: string, keep: Keep): Promise<SaveArchive> {
  return readSaveMembers(save, async (layer, gzip, index) => {
    const dir = path.join(staging, `layer-${index}`);
    await fs.mkdir(dir);
    return extractLayer(layer, gzip, dir, keep);
  });
}

/** Stores one layer member (the `index`-th seen) as it streams by: extracted, written to a file... */
export type StoreLayer<L> = (layer: Readable, gzip: boolean, index: number) => Promise<L>;

/** Reads a `docker save` stream as it arrives: layers go to `storeLayer` right away, metadata stays in memory. */
export async function readSaveMembers<L>(
  save: NodeJS.ReadableStream,
  storeLayer: StoreLayer<L>,
): Promise<SaveArchive<L>> {
  const archive: SaveArchive<L> = { layers: new Map(), metadata: new Map(), aliases: new Map(), unusable: new Map() };
  const outer = tarStream.extract();
  const feeding = pipeline(save, outer);
  try {
    for await (const member of outer) {
      const { header } = member;
      const name = memberPath(header.name);
      if (header.type === 'file') {
        await readMember(member as AsyncIterable<Buffer>, name, header.size); // streamx types chunks as unknown
        continue;
      }
      if (header.type === 'symlink')
        archive.aliases.set(name, memberPath(path.posix.join(path.posix.dirname(name), header.linkname ?? '')));
      if (header.type === 'link') archive.aliases.set(name, memberPath(header.linkname ?? ''));
      member.resume(); // no body worth reading; the next iteration moves past it
    }
    await feeding;
  } catch (err) {
    outer.destroy();
    await feeding.catch(() => undefined); // its error is this one, or the premature close we just caused
    throw err;
  }
  return archive;

  async function readMember(member: AsyncIterable<Buffer>, name: string, size: number): Promise<void> {
    const { head, all } = await peek(member, SNIFF_BYTES);
    const kind = sniff(head);
    if (kind === 'tar' || kind === 'gzip') {
      archive.layers.set(name, await storeLayer(all, kind === 'gzip', archive.layers.size));
    } else if (kind === 'json' && size <= MAX_METADATA_BYTES) {
      archive.metadata.set(name, Buffer.concat(await all.toArray()));
    } else {
      archive.unusable.set(
        name,
        kind === 'zstd' ? 'zstd-compressed, and Node 20 has no zstd decoder' : 'not a tar archive',
      );
      await drain(all);
    }
  }
}

async function drain(stream: Readable): Promise<void> {
  stream.resume();
  await finished(stream);
}
