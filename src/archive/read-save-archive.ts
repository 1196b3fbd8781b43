import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { DappdepsError } from '../errors.js';
import { extractLayer } from './extract-layer.js';
import { feedAll } from './feed-stream.js';
import type { Keep, ModePolicy } from './layer-policy.js';
import { type SaveArchive, emptySaveArchive } from './save-archive.js';
import { peek } from './peek-stream.js';
import { SNIFF_BYTES, sniff } from './sniff.js';
import { forEachMember, recordAlias } from './tar-members.js';

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
  const archive = emptySaveArchive();
  let metadataBytes = 0;
  let staged = 0;
  await forEachMember(save, async ({ path: name, header, body }) => {
    if (!recordAlias(name, header, archive.aliases) && body) await readMember(body as AsyncIterable<Buffer>, name);
  });
  return archive;

  async function readMember(member: AsyncIterable<Buffer>, name: string): Promise<void> {
    const { head, all: body } = await peek(member, SNIFF_BYTES);
    const stored = createHash('sha256');
    let size = 0;
    async function* all(): AsyncGenerator<Buffer> {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        stored.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    }
    const kind = sniff(head);
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
