import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { entryPath } from '../../archive/tar/entry-path.js';
import { planLayers } from '../../image/layout.js';
import { peek } from '../../archive/tar/peek-stream.js';
import { PathTree } from '../../archive/overlay/path-tree.js';
import { emptySaveArchive, resolveMember } from '../../image/save-members.js';
import { sniff, SNIFF_BYTES } from '../../archive/tar/sniff.js';
import { parseWhiteout } from '../../archive/overlay/whiteout.js';
import { DappdepsError } from '../../errors.js';
import { forEachMember, recordAlias } from '../../archive/tar/tar-members.js';

/** What the image's final root says about one path: the inode metadata a filesystem image must carry. */
export interface EntryMeta {
  type: 'file' | 'link' | 'symlink' | 'directory' | 'character-device' | 'block-device' | 'fifo';
  /** Permission bits with setuid, setgid and sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  devmajor: number;
  devminor: number;
}

interface LayerHeaders {
  entries: Array<[string, EntryMeta]>;
  whiteouts: string[];
  opaqueDirs: string[];
}

const METADATA_BYTES = 16 * 1024 * 1024;

/**
 * Reads only the entry headers of an image's `docker save` stream (bodies are drained, nothing is written) and
 * returns the metadata of every path of its flattened root, layers applied in manifest order with whiteouts
 * and opaque directories honoured as overlayfs does. Extraction drops what a filesystem image must keep
 * (device nodes, setuid bits, owners when not root); this is where they come from.
 */
export async function readImageTree(save: NodeJS.ReadableStream): Promise<PathTree<EntryMeta>> {
  const layers = new Map<string, LayerHeaders>();
  const archive = emptySaveArchive();
  await forEachMember(save, async ({ path: member, header, body }) => {
    if (recordAlias(member, header, archive.aliases) || !body) return;
    const { head, all } = await peek(body as AsyncIterable<Buffer>, SNIFF_BYTES);
    const kind = sniff(head);
    if (kind === 'tar' || kind === 'gzip')
      layers.set(member, await readLayerHeaders(kind === 'gzip' ? all.pipe(createGunzip()) : all));
    else if (kind === 'json' && header.size !== undefined && header.size <= METADATA_BYTES) {
      const bytes = Buffer.concat(await all.toArray());
      archive.metadata.set(member, bytes);
      archive.members.set(member, { digest: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
    } else all.resume();
  });
  const tree = new PathTree<EntryMeta>();
  for (const { member: name } of planLayers(archive).layers) {
    const layer = layers.get(resolveMember(archive.aliases, name));
    if (!layer) throw new DappdepsError(`the image manifest names layer ${name}, which is not a layer in the archive`);
    for (const dir of layer.opaqueDirs) tree.deleteChildren(dir);
    for (const rel of layer.whiteouts) tree.delete(rel);
    for (const [rel, meta] of layer.entries) {
      if (meta.type !== 'directory') tree.delete(rel); // a file over a directory hides what was below it
      tree.set(rel, meta);
    }
  }
  return tree;
}

async function readLayerHeaders(layer: Readable): Promise<LayerHeaders> {
  const headers: LayerHeaders = { entries: [], whiteouts: [], opaqueDirs: [] };
  await forEachMember(layer, async ({ header }) => {
    const rel = entryPath(header.name);
    const whiteout = parseWhiteout(rel, header.name);
    if (whiteout?.kind === 'delete') headers.whiteouts.push(whiteout.path);
    else if (whiteout?.kind === 'opaque') headers.opaqueDirs.push(whiteout.dir);
    else if (rel !== '')
      headers.entries.push([
        rel,
        {
          type: header.type as EntryMeta['type'],
          mode: (header.mode ?? 0) & 0o7777,
          uid: header.uid ?? 0,
          gid: header.gid ?? 0,
          devmajor: header.devmajor ?? 0,
          devminor: header.devminor ?? 0,
        },
      ]);
  });
  return headers;
}
