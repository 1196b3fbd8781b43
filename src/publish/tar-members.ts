import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { memberPath } from '../archive/save-archive.js';
import { SNIFF_BYTES } from '../archive/sniff.js';

/** One member of a `docker save` archive as it streams by: its path, and its body for regular files. */
export interface TarMember {
  path: string;
  header: tarStream.Header;
  /** Only for regular files; must be consumed (or drained) before the next member arrives. */
  body: Readable | undefined;
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
  const feeding = pipeline(source, extract);
  try {
    for await (const entry of extract) {
      const body = entry.header.type === 'file' ? (entry as unknown as Readable) : undefined;
      await visit({ path: memberPath(entry.header.name), header: entry.header, body });
      entry.resume();
    }
    await feeding;
  } catch (error) {
    extract.destroy();
    await feeding.catch(() => undefined); // its error is this one, or the premature close we just caused
    throw error;
  }
}

/** What reading a member's body found: its digest, size and first bytes (to sniff its kind). */
export interface BodyDigest {
  digest: string;
  size: number;
  head: Buffer;
}

/** sha256 of everything read from `body`, written to `file` on the way when one is given. */
export async function hashBody(body: Readable, file?: string): Promise<BodyDigest> {
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  async function* tap(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      hash.update(chunk);
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      size += chunk.length;
      yield chunk;
    }
  }
  const sink =
    file === undefined
      ? new Writable({ write: (_chunk, _encoding, done) => done() })
      : fs.createWriteStream(file, { flags: 'wx' });
  await pipeline(body, tap, sink);
  return { digest: `sha256:${hash.digest('hex')}`, size, head };
}

const MAX_ALIAS_HOPS = 16;

/**
 * The member that holds `name`'s bytes, following symlink and hardlink members (`aliases`, member to target);
 * undefined when there is none.
 */
export function resolveMember(
  name: string,
  holds: (member: string) => boolean,
  aliases: ReadonlyMap<string, string>,
): string | undefined {
  let member = memberPath(name);
  for (let hops = 0; hops < MAX_ALIAS_HOPS; hops++) {
    if (holds(member)) return member;
    const next = aliases.get(member);
    if (next === undefined) return undefined;
    member = memberPath(next);
  }
  return undefined;
}

/** Records a symlink or hardlink member as an alias of its target (both archive-relative); false for others. */
export function recordAlias(member: string, header: tarStream.Header, aliases: Map<string, string>): boolean {
  if (header.type === 'symlink')
    aliases.set(member, path.posix.join(path.posix.dirname(member), header.linkname ?? ''));
  else if (header.type === 'link') aliases.set(member, header.linkname ?? '');
  else return false;
  return true;
}
