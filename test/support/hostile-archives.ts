/* Tools for crafting hostile `docker save` archives: take a good one apart, change it, put it back together. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { type EntrySpec, dir, file, saveOf, type SaveOptions, tarOf } from './archive-fixtures.js';

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export interface Member {
  name: string;
  type: EntrySpec['type'];
  body: Buffer;
  linkname?: string;
}

/** The members of an archive, in order. */
export async function membersOf(archive: Buffer): Promise<Member[]> {
  const out: Member[] = [];
  const extract = tarStream.extract();
  const reading = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const { name, type, linkname } = entry.header;
      out.push({
        name,
        type: (type ?? 'file') as EntrySpec['type'],
        body: Buffer.concat(chunks),
        linkname: linkname ?? undefined,
      });
    }
  })();
  Readable.from([archive]).pipe(extract as unknown as NodeJS.WritableStream);
  await reading;
  return out;
}

export async function archiveOf(members: readonly Member[]): Promise<Buffer> {
  return tarOf(
    members.map((m) =>
      m.type === 'file' ? { name: m.name, body: m.body } : { name: m.name, type: m.type, linkname: m.linkname },
    ),
  );
}

/** The archive with `change` applied to its members (which may be edited, removed or added). */
export async function rewrite(archive: Buffer, change: (members: Member[]) => Member[] | void): Promise<Buffer> {
  const members = await membersOf(archive);
  return archiveOf(change(members) ?? members);
}

/** The member called `name`; throws if missing, so a corpus case cannot silently test nothing. */
export function member(members: readonly Member[], name: string | RegExp): Member {
  const found = members.find((m) => (typeof name === 'string' ? m.name === name : name.test(m.name)));
  if (!found) throw new Error(`no member ${String(name)} in ${members.map((m) => m.name).join(', ')}`);
  return found;
}

export function json(m: Member): unknown {
  return JSON.parse(m.body.toString('utf8'));
}

export function setJson(m: Member, value: unknown): void {
  m.body = Buffer.from(JSON.stringify(value));
}

/** A valid two-layer image whose prefix /.dapp/deps/x/1 holds `f`. */
export async function goodImage(opts: Partial<SaveOptions> = {}): Promise<Buffer> {
  return saveOf(await goodLayers(), { format: 'legacy', ...opts });
}

export async function goodLayers(): Promise<Buffer[]> {
  return [
    await tarOf([dir('./'), dir('./etc/'), file('./etc/hosts', 'localhost')]),
    await tarOf([
      dir('./'),
      dir('.dapp/'),
      dir('.dapp/deps/'),
      dir('.dapp/deps/x/'),
      dir('.dapp/deps/x/1/'),
      file('.dapp/deps/x/1/f', 'ok'),
    ]),
  ];
}

/** Byte offsets in a tar archive where each member's header starts, and where its data starts and ends. */
export function memberOffsets(archive: Buffer): Array<{ header: number; data: number; end: number }> {
  const out = [];
  let at = 0;
  while (at + 512 <= archive.length && archive.subarray(at, at + 512).some((b) => b !== 0)) {
    const size = parseInt(
      archive
        .toString('latin1', at + 124, at + 136)
        .replace(/\0.*$/, '')
        .trim() || '0',
      8,
    );
    const data = at + 512;
    out.push({ header: at, data, end: data + size });
    at = data + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** What an extraction left in `dir`, for "nothing half-written" checks. */
export async function leftIn(dirPath: string): Promise<string[]> {
  return (await fs.readdir(dirPath)).map((n) => path.join(dirPath, n));
}
