import type { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import type { LayerChanges } from '../../archive/overlay/overlay.js';
import { flatten } from '../../archive/overlay/overlay.js';
import type { PathTree } from '../../archive/overlay/path-tree.js';
import { parseWhiteout } from '../../archive/overlay/whiteout.js';
import { entryPath } from '../../archive/tar/entry-path.js';
import { forEachMember } from '../../archive/tar/tar-members.js';
import { UnsafeArchiveError } from '../../errors.js';
import { readImage } from '../../image/read-image.js';

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

interface LayerHeaders extends LayerChanges<EntryMeta> {
  entries: Array<[string, EntryMeta, boolean]>;
  whiteouts: string[];
  opaqueDirs: string[];
}

/**
 * Reads only the entry headers of an image's `docker save` stream (bodies are drained, nothing is written;
 * every member checked as readImage does) and returns the metadata of every path of its flattened root, layers
 * applied in manifest order by the overlay walker. Extraction drops what a filesystem image must keep (device
 * nodes, setuid bits, owners when not root); this is where they come from.
 */
export async function readImageTree(save: NodeJS.ReadableStream): Promise<PathTree<EntryMeta>> {
  const image = await readImage(save, { take: readLayerHeaders });
  return flatten(image.layers.map((layer) => layer.value));
}

async function readLayerHeaders(layer: Readable): Promise<LayerHeaders> {
  const headers: LayerHeaders = { entries: [], whiteouts: [], opaqueDirs: [] };
  await forEachMember(layer, async ({ header }) => {
    const rel = entryPath(header.name);
    // A hardlink names another entry of the image: its target must be a path inside it too.
    if (header.type === 'link') entryPath(header.linkname ?? '', header.name);
    const whiteout = parseWhiteout(rel, header.name);
    if (whiteout?.kind === 'delete') headers.whiteouts.push(whiteout.path);
    else if (whiteout?.kind === 'opaque') headers.opaqueDirs.push(whiteout.dir);
    else if (rel !== '') headers.entries.push([rel, entryMeta(header), header.type === 'directory']);
  });
  return headers;
}

const TYPES = new Set<string>(['file', 'link', 'symlink', 'directory', 'character-device', 'block-device', 'fifo']);

function isEntryType(type: string): type is EntryMeta['type'] {
  return TYPES.has(type);
}

function entryMeta(header: Header): EntryMeta {
  if (!isEntryType(header.type)) throw new UnsafeArchiveError(header.name, `unsupported entry type ${header.type}`);
  return {
    type: header.type,
    mode: (header.mode ?? 0) & 0o7777,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    devmajor: header.devmajor ?? 0,
    devminor: header.devminor ?? 0,
  };
}
