import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { z } from 'zod';
import { DappdepsError } from '../errors.js';
import { forEachMember, hashBody } from '../archive/tar/tar-members.js';
import { tee } from '../archive/tar/tee.js';
import { checkSave } from '../image/read-image.js';
import { MANIFEST_JSON, dockerManifest } from '../image/save-format.js';

/** The member dappdeps adds to a `docker save` archive; `docker load` ignores files it does not know. */
export const CHECKSUMS_MEMBER = 'dappdeps-checksums.json';

const checksums = z.strictObject({
  format: z.literal('dappdeps-bundle/1'),
  /** Each image by its names and id (the sha256 of its config), with the members that make it up. */
  images: z.array(z.strictObject({ names: z.array(z.string()), id: z.string(), members: z.array(z.string()) })),
  /** Every other member: `sha256:<hex>` for files, `-> <target>` for links. */
  members: z.record(z.string(), z.string()),
});
export type BundleChecksums = z.infer<typeof checksums>;

export interface BundleImage {
  names: string[];
  id: string;
}

/**
 * Copies a `docker save` archive of several images to `file`, member by member (nothing buffered but the small
 * manifest), hashing each, and appends CHECKSUMS_MEMBER: the sha256 of every member, and each image's id and
 * members. The result is still a plain `docker load` archive. The same stream goes through the image model's
 * reader at once (checkSave): an archive that does not hold up to its own digests is refused, not bundled.
 */
export async function writeBundle(save: NodeJS.ReadableStream, file: string): Promise<BundleImage[]> {
  const [copied, checked] = tee(save);
  const checking = checkSave(checked).then(
    () => undefined,
    (error: unknown) => error,
  );
  const pack = tarStream.pack();
  const writing = pipeline(pack, fs.createWriteStream(file, { flags: 'wx' }));
  try {
    const { members, manifest } = await copyMembers(copied, pack);
    const failed = await checking;
    if (failed !== undefined) throw failed;
    if (!manifest) throw new DappdepsError('the engine sent a save archive without manifest.json');
    const images = imagesOf(manifest, members);
    const record: BundleChecksums = { format: 'dappdeps-bundle/1', images, members };
    pack.entry({ name: CHECKSUMS_MEMBER, mode: 0o644, mtime: new Date(0) }, `${JSON.stringify(record, null, 1)}\n`);
    pack.finalize();
    await writing;
    return images.map(({ names, id }) => ({ names, id }));
  } catch (error) {
    pack.destroy(error as Error);
    await writing.catch(() => undefined);
    // A broken stream fails both readers: the model's says it in one line.
    const checked = await checking;
    throw error instanceof DappdepsError || !(checked instanceof DappdepsError) ? error : checked;
  }
}

/** Every member of `save` added to `pack` as it came, with its checksum; manifest.json kept. */
async function copyMembers(
  save: NodeJS.ReadableStream,
  pack: tarStream.Pack,
): Promise<{ members: Record<string, string>; manifest: Buffer | undefined }> {
  const members: Record<string, string> = {};
  let manifest: Buffer | undefined;
  await forEachMember(save, async ({ path, header, body }) => {
    if (path === CHECKSUMS_MEMBER) throw new DappdepsError(`the engine's archive already has ${CHECKSUMS_MEMBER}`);
    if (header.type === 'symlink' || header.type === 'link') members[path] = `-> ${header.linkname ?? ''}`;
    let entry: ReturnType<typeof pack.entry> | undefined;
    const written = new Promise<void>((resolve, reject) => {
      entry = pack.entry({ ...header }, (err) => (err ? reject(err) : resolve()));
    });
    written.catch(() => undefined); // awaited below; a member cut short fails the pack instead
    const sink = entry as NonNullable<typeof entry>; // set by the executor, which runs at once
    sink.on('error', () => undefined); // reported through `written`
    if (body) {
      const hash = createHash('sha256');
      const kept: Buffer[] = [];
      for await (const chunk of body) {
        hash.update(chunk);
        if (path === MANIFEST_JSON) kept.push(chunk);
        if (!sink.write(chunk)) await once(sink, 'drain');
      }
      members[path] = `sha256:${hash.digest('hex')}`;
      if (path === MANIFEST_JSON) manifest = Buffer.concat(kept);
      sink.end(undefined); // entries without a body (folders, links) are complete as soon as they are added
    }
    await written;
  });
  return { members, manifest };
}

/** Each image of the archive: its names, its id (its config's sha256) and the members it is made of. */
function imagesOf(manifest: Buffer, members: Readonly<Record<string, string>>): BundleChecksums['images'] {
  const parsed = dockerManifest.safeParse(JSON.parse(manifest.toString('utf8')));
  if (!parsed.success) throw new DappdepsError('manifest.json of the save archive is not as docker save writes it');
  return parsed.data.map((image) => {
    const id = image.Config === undefined ? undefined : members[image.Config];
    if (image.Config === undefined || id === undefined || !id.startsWith('sha256:'))
      throw new DappdepsError(`manifest.json names config ${image.Config}, which is not in the archive`);
    return { names: image.RepoTags ?? [], id, members: [image.Config, ...image.Layers] };
  });
}

/** What checking a bundle found, for `load` to print. */
export interface BundleCheck {
  images: BundleImage[];
  members: number;
}

/**
 * Reads the whole bundle at `file`, hashing every member, and resolves only when it is exactly what its
 * CHECKSUMS_MEMBER says: every member present with its checksum, no member it does not list, and each image's
 * id the checksum of its config. Anything else rejects, naming the first problems.
 */
export async function checkBundle(file: string): Promise<BundleCheck> {
  const found = new Map<string, string>();
  let record: Buffer | undefined;
  await forEachMember(fs.createReadStream(file), async ({ path, header, body }) => {
    if (header.type === 'symlink' || header.type === 'link') found.set(path, `-> ${header.linkname ?? ''}`);
    if (!body) return;
    if (path !== CHECKSUMS_MEMBER) {
      found.set(path, (await hashBody(body)).digest);
      return;
    }
    const kept: Buffer[] = [];
    for await (const chunk of body) kept.push(chunk); // tar-stream bodies: no toArray
    record = Buffer.concat(kept);
  }).catch((error: unknown) => {
    throw new DappdepsError(`${file} is not a readable tar archive: ${(error as Error).message}`, { cause: error });
  });
  if (!record) throw new DappdepsError(`${file} has no ${CHECKSUMS_MEMBER}: it was not written by dappdeps save`);
  const parsed = checksums.safeParse(parseJson(record));
  if (!parsed.success) throw new DappdepsError(`${CHECKSUMS_MEMBER} in ${file} is not valid`);
  const problems: string[] = [];
  for (const [member, expected] of Object.entries(parsed.data.members)) {
    const actual = found.get(member);
    if (actual === undefined) problems.push(`${member}: missing`);
    else if (actual !== expected) problems.push(`${member}: checksum ${actual}, expected ${expected}`);
  }
  for (const member of found.keys()) if (!(member in parsed.data.members)) problems.push(`${member}: not listed`);
  for (const image of parsed.data.images) {
    const config = image.members[0];
    if (config === undefined || parsed.data.members[config] !== image.id)
      problems.push(`image ${image.names.join(', ') || image.id}: its id is not its config's checksum`);
  }
  if (problems.length > 0)
    throw new DappdepsError(
      `${file} does not match its checksums; nothing was loaded:\n  ${problems.slice(0, 10).join('\n  ')}${problems.length > 10 ? `\n  … ${problems.length - 10} more` : ''}`,
    );
  await checkImages(file);
  return { images: parsed.data.images.map(({ names, id }) => ({ names, id })), members: found.size };
}

/** Every image of the archive read and checked by the image model's reader (digests, sizes, diff_ids). */
async function checkImages(file: string): Promise<void> {
  try {
    await checkSave(fs.createReadStream(file));
  } catch (error) {
    throw new DappdepsError(`${file}: ${(error as Error).message}; nothing was loaded`, { cause: error });
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
