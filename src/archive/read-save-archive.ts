import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { DappdepsError } from '../errors.js';
import { extractLayer } from './extract-layer.js';
import { feedAll } from './feed-stream.js';
import type { Keep, ModePolicy } from './layer-policy.js';
import { type SaveArchive, memberPath } from './save-archive.js';
import { SNIFF_BYTES, sniff } from './sniff.js';

/** Metadata (manifests, configs, index) is small; a bigger member that is not a layer is drained, not kept. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;
/** All metadata kept in memory at once: a hostile archive of many large JSON members stops here. */
const MAX_METADATA_TOTAL = 64 * 1024 * 1024;

/**
 * Reads a `docker save` stream as it arrives. The manifest may come last, so every member that sniffs as a
 * layer is extracted into its own directory under `staging` right away; metadata is kept in memory. A member
 * that cannot be extracted is recorded with its error, not thrown: only a member the manifest references may
 * fail the image (see stagedLayer). Every member's stored sha256 and size are kept for the integrity checks.
 * A failure of the stream itself rejects, after every member already started has settled.
 */
export async function readSaveArchive(
  save: NodeJS.ReadableStream,
  staging: string,
  keep: Keep,
  modes: ModePolicy,
): Promise<SaveArchive> {
  const archive: SaveArchive = {
    layers: new Map(),
    metadata: new Map(),
    aliases: new Map(),
    unusable: new Map(),
    members: new Map(),
  };
  let metadataBytes = 0;
  let staged = 0;
  const outer = tarStream.extract();
  // Settles to the stream's error instead of rejecting, so it is never a rejection nobody listens to.
  const feeding = pipeline(save, outer).then(
    () => undefined,
    (err: unknown) => err,
  );
  try {
    for await (const member of outer) {
      const { header } = member;
      const name = memberPath(header.name);
      if (header.type === 'file') {
        await readMember(member as AsyncIterable<Buffer>, name); // streamx types chunks as unknown
        continue;
      }
      if (header.type === 'symlink')
        archive.aliases.set(name, memberPath(path.posix.join(path.posix.dirname(name), header.linkname ?? '')));
      if (header.type === 'link') archive.aliases.set(name, memberPath(header.linkname ?? ''));
      member.resume(); // no body worth reading; the next iteration moves past it
    }
    const failed = await feeding;
    if (failed !== undefined) throw failed;
  } catch (err) {
    outer.destroy();
    await feeding;
    throw err;
  }
  return archive;

  async function readMember(member: AsyncIterable<Buffer>, name: string): Promise<void> {
    const stored = createHash('sha256');
    let size = 0;
    const iterator = member[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let ended = false;
    while (size < SNIFF_BYTES && !ended) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else {
        head.push(next.value);
        stored.update(next.value);
        size += next.value.length;
      }
    }
    async function* all(): AsyncGenerator<Buffer> {
      yield* head;
      while (!ended) {
        const next = await iterator.next();
        if (next.done) ended = true;
        else {
          stored.update(next.value);
          size += next.value.length;
          yield next.value;
        }
      }
    }
    const kind = sniff(Buffer.concat(head));
    if (kind === 'tar' || kind === 'gzip') {
      const dir = path.join(staging, `layer-${staged++}`); // not by name: a name may come twice
      await fs.mkdir(dir);
      const inlet = new PassThrough();
      const extracting = extractLayer(inlet, kind === 'gzip', dir, keep, modes).then(
        (layer) => ({ layer }),
        (error: unknown) => ({ error }),
      );
      try {
        await feedAll(all(), inlet);
      } catch (err) {
        inlet.destroy(err as Error);
        await extracting;
        throw err;
      }
      const result = await extracting;
      // A failed system call (ENOSPC, EACCES…) is this machine's problem, not the member's: it fails the run.
      if ('error' in result && result.error instanceof Error && 'syscall' in result.error) throw result.error;
      archive.members.set(name, { digest: stored.digest('hex'), size });
      if ('layer' in result) archive.layers.set(name, result.layer);
      else {
        archive.unusable.set(name, asArchiveError(result.error));
        await fs.rm(dir, { recursive: true, force: true });
      }
      return;
    }
    const kept: Buffer[] = [];
    for await (const chunk of all()) {
      if (size <= MAX_METADATA_BYTES && metadataBytes + size <= MAX_METADATA_TOTAL) kept.push(chunk);
    }
    archive.members.set(name, { digest: stored.digest('hex'), size });
    if (kind === 'json' && size <= MAX_METADATA_BYTES && metadataBytes + size <= MAX_METADATA_TOTAL) {
      metadataBytes += size;
      archive.metadata.set(name, Buffer.concat(kept));
    } else {
      const why =
        kind === 'zstd'
          ? 'zstd-compressed, and Node 20 has no zstd decoder'
          : kind === 'json'
            ? 'too large for metadata'
            : 'not a tar archive';
      archive.unusable.set(name, new DappdepsError(why));
    }
  }
}

function asArchiveError(err: unknown): DappdepsError {
  return err instanceof DappdepsError
    ? err
    : new DappdepsError(err instanceof Error ? err.message : String(err), { cause: err });
}
