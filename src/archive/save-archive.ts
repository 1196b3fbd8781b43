import path from 'node:path';
import { DappdepsError } from '../errors.js';
import type { StagedLayer } from './extract-layer.js';

/** What reading a `docker save` stream left: staged layers and the small metadata files, by member path. */
export interface SaveArchive<L = StagedLayer> {
  layers: Map<string, L>;
  metadata: Map<string, Buffer>;
  /** Symlink and hardlink members (legacy saves link a repeated `<id>/layer.tar` to its first copy). */
  aliases: Map<string, string>;
  /** Members that cannot be layers, with the reason. */
  unusable: Map<string, string>;
}

/** A member's path in normal form, as manifests name it (`./` and trailing `/` dropped). */
export function memberPath(name: string): string {
  return path.posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/+$/, '');
}

const MAX_ALIAS_HOPS = 16;

/** The stored layer a manifest names, following aliases; a DappdepsError naming the member otherwise. */
export function stagedLayer<L>(archive: SaveArchive<L>, name: string): L {
  let member = memberPath(name);
  for (let hops = 0; hops < MAX_ALIAS_HOPS; hops++) {
    const layer = archive.layers.get(member);
    if (layer) return layer;
    const why = archive.unusable.get(member) ?? (archive.metadata.has(member) ? 'not a tar archive' : undefined);
    if (why !== undefined) throw new DappdepsError(`layer ${name} cannot be extracted: ${why}`);
    const alias = archive.aliases.get(member);
    if (alias === undefined) break;
    member = alias;
  }
  throw new DappdepsError(`the image manifest names layer ${name}, which is not in the archive`);
}

/** JSON metadata member, parsed; a DappdepsError if it is missing or not JSON. */
export function metadataJson(archive: SaveArchive<unknown>, name: string): unknown {
  const bytes = archive.metadata.get(name);
  if (bytes === undefined) throw new DappdepsError(`${name} is missing from the archive`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new DappdepsError(`${name} in the archive is not valid JSON`, { cause: err });
  }
}
