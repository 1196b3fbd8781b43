import path from 'node:path';
import { DappdepsError, UnsafeArchiveError } from '../errors.js';
import type { StagedLayer } from './extract-layer.js';

/** What reading a `docker save` stream left: staged layers and the small metadata files, by member path. */
export interface SaveArchive {
  layers: Map<string, StagedLayer>;
  metadata: Map<string, Buffer>;
  /** Symlink and hardlink members (legacy saves link a repeated `<id>/layer.tar` to its first copy). */
  aliases: Map<string, string>;
  /** Members that cannot be used, with why: not a layer nor metadata, or a layer whose extraction failed. */
  unusable: Map<string, DappdepsError>;
  /** Every regular member as stored: sha256 (hex) and size, what OCI descriptors and blob paths name. */
  members: Map<string, { digest: string; size: number }>;
}

/** A member's path in normal form, as manifests name it (`./` and trailing `/` dropped). */
export function memberPath(name: string): string {
  return path.posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/+$/, '');
}

const MAX_ALIAS_HOPS = 16;

/** The regular member a manifest's name stands for, following symlink and hardlink members (`aliases`). */
export function resolveMember(aliases: ReadonlyMap<string, string>, name: string): string {
  let member = memberPath(name);
  for (let hops = 0; hops < MAX_ALIAS_HOPS; hops++) {
    const alias = aliases.get(member);
    if (alias === undefined) return member;
    member = alias;
  }
  throw new DappdepsError(`${name} in the archive is a chain of more than ${MAX_ALIAS_HOPS} links`);
}

/** A SaveArchive with nothing read yet. */
export function emptySaveArchive(): SaveArchive {
  return { layers: new Map(), metadata: new Map(), aliases: new Map(), unusable: new Map(), members: new Map() };
}

/** The staged layer a manifest names, following aliases; a DappdepsError naming the member otherwise. */
export function stagedLayer(archive: SaveArchive, name: string): StagedLayer {
  const member = resolveMember(archive.aliases, name);
  const layer = archive.layers.get(member);
  if (layer) return layer;
  const failed = archive.unusable.get(member);
  if (failed instanceof UnsafeArchiveError) throw failed;
  const why = failed?.message ?? (archive.metadata.has(member) ? 'not a tar archive' : undefined);
  if (why !== undefined) throw new DappdepsError(`layer ${name} cannot be extracted: ${why}`, { cause: failed });
  throw new DappdepsError(`the image manifest names layer ${name}, which is not in the archive`);
}

/** JSON metadata member, parsed; a DappdepsError if it is missing, unreadable or not JSON. */
export function metadataJson(archive: SaveArchive, name: string): unknown {
  const member = resolveMember(archive.aliases, name);
  const bytes = archive.metadata.get(member);
  if (bytes === undefined) {
    const failed = archive.unusable.get(member) ?? (archive.layers.has(member) ? 'a tar archive' : undefined);
    if (failed !== undefined)
      throw new DappdepsError(
        `${name} in the archive is not JSON metadata: ${String(failed instanceof Error ? failed.message : failed)}`,
      );
    throw new DappdepsError(`${name} is missing from the archive`);
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new DappdepsError(`${name} in the archive is not valid JSON`, { cause: err });
  }
}
