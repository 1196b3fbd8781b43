/* Reads an image's layers from `docker save` independently of dappdeps' own archive code, for assertions. */
import path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import Docker from 'dockerode';
import tarStream from 'tar-stream';

export interface LayerEntry {
  /** Without `./` and trailing `/`. */
  name: string;
  type: string;
  /** Permission bits only (Go's tar also writes the file type bits). */
  mode: number;
  uid: number;
  linkname?: string;
  /** The content of regular files up to 1 MiB (dpkg's status file included). */
  body?: string;
}

export interface SavedLayers {
  /** The image config file (parsed). */
  config: { config: Record<string, unknown>; rootfs: { diff_ids: string[] }; history?: unknown[] };
  /** Lowest first; each layer's entries in archive order. */
  layers: LayerEntry[][];
}

const BODY_LIMIT = 1024 * 1024;

const norm = (name: string) => path.posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/+$/, '');

async function listTar(stream: Readable): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [];
  const extract = tarStream.extract();
  stream.pipe(extract);
  for await (const entry of extract) {
    const h = entry.header;
    const item: LayerEntry = {
      name: norm(h.name),
      type: h.type ?? 'file',
      mode: (h.mode ?? 0) & 0o7777,
      uid: h.uid ?? 0,
    };
    if (h.linkname) item.linkname = h.linkname;
    const chunks: Buffer[] = [];
    const kept = (h.size ?? 0) <= BODY_LIMIT;
    for await (const chunk of entry) if (kept) chunks.push(chunk as Buffer);
    if (h.type === 'file' && kept) item.body = Buffer.concat(chunks).toString('utf8');
    entries.push(item);
  }
  return entries;
}

export async function savedLayers(ref: string, docker = new Docker()): Promise<SavedLayers> {
  const save = (await docker.getImage(ref).get()) as unknown as Readable;
  const members = new Map<string, LayerEntry[]>();
  const json = new Map<string, unknown>();
  const outer = tarStream.extract();
  save.pipe(outer);
  for await (const member of outer) {
    const name = norm(member.header.name);
    if (member.header.type !== 'file') {
      member.resume();
      continue;
    }
    if (name.endsWith('.json') || name === 'manifest.json' || (member.header.size ?? 0) < 65536) {
      const chunks: Buffer[] = [];
      for await (const chunk of member) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      if (body[0] === 0x7b || body[0] === 0x5b) json.set(name, JSON.parse(body.toString('utf8')));
      else if (body.length >= 512) members.set(name, await listTar(Readable.from([body])));
      continue;
    }
    const head = member as unknown as Readable;
    members.set(name, await listTar(name.endsWith('.gz') ? head.pipe(createGunzip()) : head));
  }
  const [manifest] = json.get('manifest.json') as Array<{ Config: string; Layers: string[] }>;
  if (!manifest) throw new Error(`no manifest in the save of ${ref}`);
  return {
    config: json.get(norm(manifest.Config)) as SavedLayers['config'],
    layers: manifest.Layers.map((l) => members.get(norm(l)) ?? []),
  };
}
