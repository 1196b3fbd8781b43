import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { DigestTap } from './digest-tap.js';
import { peek } from './peek-stream.js';
import { SNIFF_BYTES } from './sniff.js';

/** One member of a `docker save` archive as it streams by: its path, and its body for regular files. */
export interface TarMember {
  path: string;
  header: tarStream.Header;
  /** Only for regular files; must be consumed (or drained) before the next member arrives. */
  body: AsyncIterable<Buffer> | undefined;
}

/**
 * Calls `visit` for each member of a tar stream in order, waiting for it; the body of a member `visit` leaves
 * unread is drained. Nothing is buffered beyond what `visit` keeps.
 */
export async function forEachMember(
  source: NodeJS.ReadableStream,
  visit: (member: TarMember) => Promise<void>,
): Promise<void> {
  const extract = tarStream.extract();
  // Settles to the stream's error instead of rejecting: it may fail while `visit` is still busy, and must not
  // be a rejection nobody listens to by then.
  const feeding = pipeline(source, extract).then(
    () => undefined,
    (error: unknown) => error,
  );
  try {
    for await (const entry of extract) {
      const body = entry.header.type === 'file' ? bytes(entry) : undefined;
      await visit({ path: memberPath(entry.header.name), header: entry.header, body });
      entry.resume();
    }
  } catch (error) {
    extract.destroy();
    await feeding; // its error is this one, or the premature close we just caused
    throw error;
  }
  const failed = await feeding;
  if (failed !== undefined) throw failed;
}

/** A member's body as Buffers: tar-stream's types say unknown, so each chunk is checked rather than cast. */
async function* bytes(body: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    if (!Buffer.isBuffer(chunk)) throw new TypeError('a tar member gave something other than bytes');
    yield chunk;
  }
}

/** What reading a member's body found: its digest, size and first bytes (to sniff its kind). */
export interface BodyDigest {
  digest: string;
  size: number;
  head: Buffer;
}

/** sha256 of everything read from `body`, written to `file` on the way when one is given. */
export async function hashBody(body: AsyncIterable<Buffer>, file?: string): Promise<BodyDigest> {
  const { head, all } = await peek(body, SNIFF_BYTES);
  const tap = new DigestTap();
  const sink =
    file === undefined
      ? new Writable({ write: (_chunk, _encoding, done) => done() })
      : fs.createWriteStream(file, { flags: 'wx' });
  await pipeline(all, tap, sink);
  return { digest: `sha256:${tap.hex()}`, size: tap.bytes, head: head.subarray(0, SNIFF_BYTES) };
}

/** Records a symlink or hardlink member as an alias of its target (both archive-relative); false for others. */
export function recordAlias(member: string, header: tarStream.Header, aliases: Map<string, string>): boolean {
  if (header.type === 'symlink')
    aliases.set(member, memberPath(path.posix.join(path.posix.dirname(member), header.linkname ?? '')));
  else if (header.type === 'link') aliases.set(member, memberPath(header.linkname ?? ''));
  else return false;
  return true;
}

/** A member's path in normal form, as manifests name it (`./` and trailing `/` dropped). */
export function memberPath(name: string): string {
  return path.posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/+$/, '');
}
