import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DigestTap } from '../archive/tar/digest-tap.js';
import { feedAll } from '../archive/tar/feed-stream.js';
import { peek } from '../archive/tar/peek-stream.js';
import { SNIFF_BYTES, sniff } from '../archive/tar/sniff.js';
import { forEachMember, recordAlias } from '../archive/tar/tar-members.js';
import { DappdepsError } from '../errors.js';
import { MAX_METADATA_BYTES, MAX_METADATA_TOTAL } from './limits.js';
import { type SaveArchive, emptySaveArchive } from './save-members.js';

/** What a reader does with each layer: `take` reads the uncompressed tar and says what it made of it. */
export interface LayerSink<T> {
  take(tar: Readable, layer: { member: string; index: number; gzip: boolean }): Promise<T>;
  /** Undoes what `take` made for a layer the image does not use (or when reading failed). */
  discard?(value: T): Promise<void>;
}

/**
 * Reads a `docker save` stream as it arrives: the one loop over its members. The manifest may come last, so
 * every member that sniffs as a layer goes to `sink` right away (decompressed, its stored digest and its
 * diff id taken on the way); metadata is kept in memory, within the caps. A layer the sink cannot take is
 * recorded with its error, not thrown: only a member the manifest references may fail the image. A failed
 * system call (ENOSPC…) is this machine's problem and fails at once, as does a failure of the stream itself.
 */
export async function readSave<T>(save: NodeJS.ReadableStream, sink: LayerSink<T>): Promise<SaveArchive<T>> {
  const archive = emptySaveArchive<T>();
  let metadataBytes = 0;
  let index = 0;
  await forEachMember(save, async ({ path: name, header, body }) => {
    if (recordAlias(name, header, archive.aliases) || !body) return;
    const { head, all } = await peek(body, SNIFF_BYTES);
    const stored = new StoredDigest();
    const kind = sniff(head);
    if (kind === 'tar' || kind === 'gzip') await readLayer(name, stored, all, kind === 'gzip');
    else metadataBytes += await readMetadata(name, stored.tap(all), kind, metadataBytes);
    archive.members.set(name, stored.result());
  });
  return archive;

  async function readLayer(member: string, stored: StoredDigest, body: AsyncIterable<Buffer>, gzip: boolean) {
    const inlet = new PassThrough();
    // An uncompressed layer's diff id is its stored digest: hashed once, as it is stored.
    const diff = gzip ? new DigestTap() : undefined;
    const raw = stored.tap(body);
    const taking = sink.take(uncompressed(inlet, diff), { member, index: index++, gzip }).then(
      (value) => ({ value }),
      (error: unknown) => {
        inlet.destroy(); // the rest of the member is still read (feedAll), and dropped
        return { error };
      },
    );
    try {
      await feedAll(raw, inlet);
    } catch (err) {
      inlet.destroy(err as Error);
      const settled = await taking;
      if ('value' in settled) await sink.discard?.(settled.value);
      throw err;
    }
    const result = await taking;
    const diffId = diff ? diff.hex() : stored.result().digest;
    if ('value' in result) archive.layers.set(member, { value: result.value, diffId, gzip });
    else if (result.error instanceof Error && 'syscall' in result.error) throw result.error;
    else archive.unusable.set(member, asArchiveError(result.error));
  }

  async function readMetadata(
    member: string,
    body: AsyncIterable<Buffer>,
    kind: string,
    used: number,
  ): Promise<number> {
    const kept: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size <= MAX_METADATA_BYTES && used + size <= MAX_METADATA_TOTAL) kept.push(chunk);
    }
    if (kind === 'json' && size <= MAX_METADATA_BYTES && used + size <= MAX_METADATA_TOTAL) {
      archive.metadata.set(member, Buffer.concat(kept));
      return size;
    }
    const why =
      kind === 'zstd'
        ? 'zstd-compressed, and Node 20 has no zstd decoder'
        : kind === 'json'
          ? 'too large for metadata'
          : 'not a tar archive';
    archive.unusable.set(member, new DappdepsError(why));
    return 0;
  }
}

/**
 * The layer's tar as the sink reads it: gunzipped, its digest taken on the way, when `diff` is given (a gzip
 * layer), else the stored bytes themselves; an error upstream fails it too.
 */
function uncompressed(inlet: PassThrough, diff: DigestTap | undefined): Readable {
  if (!diff) {
    inlet.on('error', () => undefined); // the sink hears of it through its own pipe while it listens
    return inlet;
  }
  // The sink may have stopped listening by the time an upstream error arrives; it reached feedAll already.
  diff.on('error', () => undefined);
  const gunzip = createGunzip();
  inlet.on('error', (err) => gunzip.destroy(err));
  gunzip.on('error', (err) => diff.destroy(err));
  return inlet.pipe(gunzip).pipe(diff);
}

/** sha256 and size of a member's bytes as stored. */
class StoredDigest {
  private readonly hash = createHash('sha256');
  private size = 0;
  private digest: string | undefined;

  async *tap(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of body) {
      this.hash.update(chunk);
      this.size += chunk.length;
      yield chunk;
    }
  }

  /** Once the body was read to its end. */
  result(): { digest: string; size: number } {
    this.digest ??= this.hash.digest('hex');
    return { digest: this.digest, size: this.size };
  }
}

function asArchiveError(err: unknown): DappdepsError {
  return err instanceof DappdepsError
    ? err
    : new DappdepsError(err instanceof Error ? err.message : String(err), { cause: err });
}
