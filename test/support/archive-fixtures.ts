/* Builders for `docker save` archives in memory (no binary fixtures), and temp-dir helpers. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import tarStream from 'tar-stream';

chai.use(chaiAsPromised);
export const { expect } = chai;

export const MTIME = new Date('2020-01-02T03:04:05Z');

export interface EntrySpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device' | 'block-device';
  body?: string | Buffer;
  linkname?: string;
  mode?: number;
  mtime?: Date;
}

export const file = (name: string, body: string, mode = 0o644): EntrySpec => ({ name, body, mode });
export const dir = (name: string, mode = 0o755, mtime = MTIME): EntrySpec => ({ name, type: 'directory', mode, mtime });
export const symlink = (name: string, linkname: string): EntrySpec => ({ name, type: 'symlink', linkname });
/** Real archives give a hardlink its file's mode; tar-fs applies it to the shared inode. */
export const hardlink = (name: string, linkname: string, mode = 0o644): EntrySpec => ({
  name,
  type: 'link',
  linkname,
  mode,
});

/** A tar archive of the entries, in order. */
export async function tarOf(entries: readonly EntrySpec[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const collecting = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    const header = {
      name: e.name,
      type: e.type ?? 'file',
      mode: e.mode,
      mtime: e.mtime ?? MTIME,
      linkname: e.linkname,
    };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (e.body === undefined) pack.entry(header, done);
      else pack.entry(header, e.body, done);
    });
  }
  pack.finalize();
  await collecting;
  return Buffer.concat(chunks);
}

export interface SaveOptions {
  /** legacy: `<id>/layer.tar`; oci: index.json only; docker25: OCI blobs plus a manifest.json naming them. */
  format: 'legacy' | 'oci' | 'docker25';
  gzip?: boolean;
  /** Legacy only: write manifest.json before the layers (Docker writes it last). */
  manifestFirst?: boolean;
  /** Leave these layer indexes out of the archive, while the manifest still names them. */
  omit?: number[];
  /** OCI layer media type override (e.g. zstd). */
  mediaType?: string;
  /** Extra members, written after everything else. */
  extra?: EntrySpec[];
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A `docker save`-like archive of one image with these layers (lowest first). */
export async function saveOf(layers: readonly Buffer[], opts: SaveOptions): Promise<Buffer> {
  const blobs = layers.map((l) => (opts.gzip ? gzipSync(l) : l));
  const present = (i: number) => !opts.omit?.includes(i);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha256(l)}`) },
    }),
  );
  const members: EntrySpec[] = [];
  if (opts.format === 'legacy') {
    const ids = blobs.map((b, i) => sha256(`${i}:${sha256(b)}`));
    const manifest = file(
      'manifest.json',
      JSON.stringify([
        { Config: `${sha256(config)}.json`, RepoTags: ['t:1'], Layers: ids.map((id) => `${id}/layer.tar`) },
      ]),
    );
    if (opts.manifestFirst) members.push(manifest);
    blobs.forEach((b, i) => {
      const id = ids[i] as string;
      members.push(dir(`${id}/`), file(`${id}/VERSION`, '1.0'), file(`${id}/json`, JSON.stringify({ id })));
      if (present(i)) members.push({ name: `${id}/layer.tar`, body: b, mode: 0o644 });
    });
    members.push(file(`${sha256(config)}.json`, config.toString()));
    if (!opts.manifestFirst) members.push(manifest);
    members.push(file('repositories', JSON.stringify({ t: { '1': ids.at(-1) } })));
  } else {
    const layerType = opts.mediaType ?? `application/vnd.oci.image.layer.v1.tar${opts.gzip ? '+gzip' : ''}`;
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: `sha256:${sha256(config)}`,
          size: config.length,
        },
        layers: blobs.map((b) => ({ mediaType: layerType, digest: `sha256:${sha256(b)}`, size: b.length })),
      }),
    );
    // Layers last-to-first, so they arrive in the opposite of manifest order.
    const seen = new Set<string>();
    for (const [i, b] of [...blobs.entries()].reverse()) {
      if (!present(i) || seen.has(sha256(b))) continue;
      seen.add(sha256(b));
      members.push({ name: `blobs/sha256/${sha256(b)}`, body: b, mode: 0o444 });
    }
    members.push(
      { name: `blobs/sha256/${sha256(config)}`, body: config },
      { name: `blobs/sha256/${sha256(manifest)}`, body: manifest },
    );
    members.push(
      file(
        'index.json',
        JSON.stringify({
          schemaVersion: 2,
          manifests: [
            {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest: `sha256:${sha256(manifest)}`,
              size: manifest.length,
            },
          ],
        }),
      ),
    );
    if (opts.format === 'docker25') {
      members.push(
        file(
          'manifest.json',
          JSON.stringify([
            {
              Config: `blobs/sha256/${sha256(config)}`,
              RepoTags: ['t:1'],
              Layers: blobs.map((b) => `blobs/sha256/${sha256(b)}`),
            },
          ]),
        ),
      );
    }
    members.push(file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'));
  }
  return tarOf([...members, ...(opts.extra ?? [])]);
}

/** The archive as a stream arriving in 64 KiB chunks, like a pipe from `docker save`. */
export function streamOf(archive: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < archive.length; i += 65536) chunks.push(archive.subarray(i, i + 65536));
  return Readable.from(chunks);
}

/** A fresh empty directory under the OS temp dir; tests remove it in an after hook. */
export async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'dappdeps-archive-test-'));
}

/** Every path below `root`, relative, sorted, directories with a trailing slash. */
export async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      out.push(entry.isDirectory() ? `${child}/` : child);
      if (entry.isDirectory()) await walk(child);
    }
  };
  await walk('');
  return out.sort();
}
