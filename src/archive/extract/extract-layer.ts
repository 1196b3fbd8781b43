import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarFs from 'tar-fs';
import type { Header as TarHeader } from 'tar-stream';
import { DappdepsError, UnsafeArchiveError } from '../../errors.js';
import { insideRoot } from '../tar/entry-path.js';
import { LayerFs } from './layer-fs.js';
import { type Keep, type LayerRecord, LayerPolicy, type ModePolicy, type PendingSymlink } from './layer-policy.js';

/** One layer written to its own staging directory, waiting for the manifest to say where it goes. */
export interface StagedLayer extends LayerRecord {
  dir: string;
}

// @types/tar-fs lags the runtime: no `umask` or `fs` options, and headers typed as files, directories and links only.
type TarFsOptions = tarFs.ExtractOptions & { umask: number; fs: LayerFs };

/** tar-fs hands `ignore` tar-stream's whole header (every entry type, link names): checked, not cast. */
function tarStreamHeader(header: unknown): TarHeader {
  if (!isTarHeader(header)) throw new DappdepsError('tar-fs gave an entry without a name or type');
  return header;
}

function isTarHeader(header: unknown): header is TarHeader {
  return (
    typeof header === 'object' &&
    header !== null &&
    'name' in header &&
    typeof header.name === 'string' &&
    'type' in header &&
    typeof header.type === 'string'
  );
}

/**
 * Streams one layer's uncompressed tar into `dir` with tar-fs, LayerPolicy deciding entry by entry. Whiteout
 * markers are recorded, never written. Symlinks are written last, by writeSymlinks: tar-fs refuses a symlink
 * whose target passes through another symlink (`which.1.gz -> /etc/alternatives/which.pl1.gz`, everywhere in
 * Debian), so routing them through it would refuse real images; symlinkTarget's normal form is the guard.
 */
export async function extractLayer(tar: Readable, dir: string, keep: Keep, modes: ModePolicy): Promise<StagedLayer> {
  const policy = new LayerPolicy(keep, modes);
  const layerFs = new LayerFs();
  const options: TarFsOptions = {
    dmode: 0o700, // directories stay writable until restoreDirectories gives them their archive modes
    umask: 0, // the archive's modes, not the process umask
    fs: layerFs,
    ignore: (_name, header) => {
      try {
        const verdict = policy.classify(tarStreamHeader(header));
        // A path twice in one layer: tar-fs would write into the earlier file in place, through any hardlink
        // to it, or fail on a read-only one.
        if (verdict.action === 'replace' || verdict.action === 'remove') layerFs.remove(insideRoot(dir, verdict.rel));
        return verdict.action === 'skip' || verdict.action === 'remove';
      } catch (err) {
        extractor.destroy(err as Error); // hooks cannot reject: fail the stream, skip the entry
        return true;
      }
    },
  };
  const extractor = tarFs.extract(dir, options);
  // Failing the extractor from a hook fails the entry being read too, and nothing else listens to that one.
  extractor.on('entry', (_header, entry) => entry.on('error', () => undefined));
  try {
    await pipeline(tar, extractor);
  } catch (err) {
    throw fromTarFs(err, dir);
  }
  const record = policy.record();
  // tar-fs drops the bits above 0o777; its chown (which would clear setuid again) has run by now.
  for (const [rel, mode] of record.modes) fs.chmodSync(insideRoot(dir, rel), mode);
  writeSymlinks(dir, policy.pendingSymlinks());
  return { dir, ...record };
}

/** Synchronous, like the layer's other writes (see LayerFs). */
function writeSymlinks(dir: string, links: Iterable<PendingSymlink>): void {
  const own = process.getuid?.() === 0; // as tar-fs: only root can give entries their archive owner
  for (const link of links) {
    const abs = insideRoot(dir, link.rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.rmSync(abs, { recursive: true, force: true }); // an earlier entry at the same path loses, as in tar
    fs.symlinkSync(link.target, abs);
    fs.lutimesSync(abs, link.mtime, link.mtime);
    if (own) fs.lchownSync(abs, link.uid, link.gid);
  }
}

/** tar-fs's own refusals are plain Errors: give them the archive error class. */
function fromTarFs(err: unknown, dir: string): unknown {
  if (err instanceof DappdepsError || !(err instanceof Error)) return err;
  const refused = /^(.*) is not a valid (path|symlink|hardlink)$/.exec(err.message);
  return refused
    ? new UnsafeArchiveError(path.relative(dir, refused[1] ?? ''), `refused by tar-fs (invalid ${refused[2]})`)
    : err;
}
