import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { sniff } from '../archive/tar/sniff.js';
import { DappdepsError } from '../errors.js';
import { resolveMember } from '../image/save-members.js';
import { forEachMember, hashBody, recordAlias } from '../archive/tar/tar-members.js';

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** Docker writes manifest.json in both of its save layouts (legacy, and OCI since Docker 25). */
const dockerManifest = z.array(z.looseObject({ Config: z.string(), Layers: z.array(z.string()) }));

interface Blob {
  digest: string;
  size: number;
  gzip: boolean;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/**
 * Writes the image of a one-image `docker save` stream into `dir` as an OCI image layout (oci-layout,
 * index.json, blobs/sha256/…), streaming: every member goes straight to a blob named by its sha256, then the
 * manifest and index are written from manifest.json and the blobs nothing refers to are removed. `refName`
 * becomes the index's `org.opencontainers.image.ref.name`.
 */
export async function writeOciLayout(save: NodeJS.ReadableStream, dir: string, refName: string): Promise<Descriptor> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await fs.mkdir(blobs, { recursive: true });
  const byMember = new Map<string, Blob>();
  const aliases = new Map<string, string>();
  let manifestJson: Buffer | undefined;
  let incoming = 0;
  await forEachMember(save, async ({ path: member, header, body }) => {
    if (recordAlias(member, header, aliases) || !body) return;
    const temporary = path.join(blobs, `.incoming-${incoming++}`);
    const { digest, size, head } = await hashBody(body, temporary);
    await fs.rename(temporary, path.join(blobs, digest.slice('sha256:'.length)));
    byMember.set(member, { digest, size, gzip: sniff(head) === 'gzip' });
    if (member === 'manifest.json') manifestJson = await fs.readFile(path.join(blobs, digest.slice('sha256:'.length)));
  });
  if (!manifestJson) throw new DappdepsError('not a docker save archive: it has no manifest.json');
  const parsed = dockerManifest.safeParse(JSON.parse(manifestJson.toString('utf8')));
  if (!parsed.success || parsed.data.length !== 1)
    throw new DappdepsError('manifest.json of the save archive does not describe exactly one image');
  const [image] = parsed.data as [z.infer<typeof dockerManifest>[number]];
  const blob = (member: string): Blob => {
    const found = byMember.get(resolveMember(aliases, member));
    if (!found) throw new DappdepsError(`manifest.json names ${member}, which is not in the save archive`);
    return found;
  };
  const config = blob(image.Config);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: config.digest, size: config.size },
    layers: image.Layers.map((member) => {
      const layer = blob(member);
      return { mediaType: layer.gzip ? MEDIA.layerGzip : MEDIA.layer, digest: layer.digest, size: layer.size };
    }),
  };
  const written = await writeBlob(blobs, JSON.stringify(manifest));
  const top: Descriptor = { mediaType: MEDIA.manifest, ...written };
  const keep = new Set([written.digest, config.digest, ...manifest.layers.map((l) => l.digest)]);
  for (const name of await fs.readdir(blobs))
    if (!keep.has(`sha256:${name}`)) await fs.rm(path.join(blobs, name), { force: true });
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': refName } }],
  };
  await fs.writeFile(path.join(dir, 'index.json'), JSON.stringify(index));
  await fs.writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return top;
}

async function writeBlob(blobs: string, text: string): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(text, 'utf8');
  const hex = createHash('sha256').update(bytes).digest('hex');
  await fs.writeFile(path.join(blobs, hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}
