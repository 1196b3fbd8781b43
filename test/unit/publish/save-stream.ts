import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';

export type Entry = Parameters<ReturnType<typeof tarStream.pack>['entry']>[0] & { body?: string };

/** Everything a stream yields, as one buffer. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A tar archive of `entries`, in memory (test data is small). */
export async function tarOf(entries: readonly Entry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const { body, ...header } of entries) pack.entry({ mtime: new Date(0), ...header }, body ?? '');
  pack.finalize();
  return await collect(pack);
}

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** A legacy (Docker 20.10) `docker save` stream of one image made of `layers`, lowest first. */
export async function saveStream(layers: readonly Entry[][], tag = 'test/image:1'): Promise<Readable> {
  const tars = await Promise.all(layers.map((l) => tarOf(l)));
  const config = JSON.stringify({ rootfs: { type: 'layers', diff_ids: tars.map((t) => `sha256:${sha(t)}`) } });
  const ids = tars.map((t) => sha(t));
  const members: Entry[] = [
    ...tars.map((t, i) => ({ name: `${ids[i]}/layer.tar`, body: t.toString('latin1') })),
    { name: `${sha(config)}.json`, body: config },
    {
      name: 'manifest.json',
      body: JSON.stringify([
        { Config: `${sha(config)}.json`, RepoTags: [tag], Layers: ids.map((id) => `${id}/layer.tar`) },
      ]),
    },
  ];
  const pack = tarStream.pack();
  for (const { body, ...header } of members)
    pack.entry({ mtime: new Date(0), ...header }, Buffer.from(body ?? '', 'latin1'));
  pack.finalize();
  return Readable.from(await collect(pack));
}
