import { DappdepsError, UnsafeArchiveError } from '../errors.js';
import { memberPath } from '../archive/tar/tar-members.js';
import { MAX_ALIAS_HOPS } from './limits.js';

/** A layer member as the reader handed it to its sink: what the sink made of it, and its uncompressed digest. */
export interface ReadLayer<T> {
  value: T;
  /** sha256 (hex) of the uncompressed tar: what the image config's `rootfs.diff_ids` lists. */
  diffId: string;
  gzip: boolean;
}

/** What reading a `docker save` stream left: the layers as the sink made them and the metadata, by member path. */
export interface SaveArchive<T = unknown> {
  layers: Map<string, ReadLayer<T>>;
  metadata: Map<string, Buffer>;
  /** Symlink and hardlink members (legacy saves link a repeated `<id>/layer.tar` to its first copy). */
  aliases: Map<string, string>;
  /** Members that cannot be used, with why: not a layer nor metadata, or a layer whose extraction failed. */
  unusable: Map<string, DappdepsError>;
  /** Every regular member as stored: sha256 (hex) and size, what OCI descriptors and blob paths name. */
  members: Map<string, { digest: string; size: number }>;
}

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
export function emptySaveArchive<T>(): SaveArchive<T> {
  return { layers: new Map(), metadata: new Map(), aliases: new Map(), unusable: new Map(), members: new Map() };
}

/** The layer a manifest names, following aliases; a DappdepsError naming the member otherwise. */
export function stagedLayer<T>(archive: SaveArchive<T>, name: string): ReadLayer<T> {
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
export function metadataJson<T>(archive: SaveArchive<T>, name: string): unknown {
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
