import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import tarStream from 'tar-stream';
import { loadArchive } from '../../../src/provision/load-archive.js';
import { saveToDisk } from '../../../src/provision/saved-image.js';
import { expect, file, saveOf, tarOf } from '../../support/archive-fixtures.js';

describe('provision: saved image on disk and the archive docker load reads', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-provision-saved-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  for (const format of ['legacy', 'docker25'] as const) {
    it(`stores the layers of a ${format} save in manifest order, with the config`, async () => {
      const layers = [await tarOf([file('a', '1')]), await tarOf([file('b', '2')]), await tarOf([file('c', '3')])];
      const saved = await saveToDisk(Readable.from([await saveOf(layers, { format })]), dir);
      expect(saved.layers).to.have.length(3);
      for (const [i, layer] of saved.layers.entries()) {
        expect(layer.gzip).to.equal(false);
        expect((await readFile(layer.file)).equals(layers[i] as Buffer), `layer ${i}`).to.equal(true);
      }
      const config = JSON.parse(saved.config.toString()) as { rootfs: { diff_ids: string[] } };
      expect(config.rootfs.diff_ids).to.have.length(3);
    });
  }

  it('writes an untagged docker-archive: config, layers in order, manifest naming them', async () => {
    const layers = [await tarOf([file('a', '1')]), await tarOf([file('b', '2')])];
    const saved = await saveToDisk(Readable.from([await saveOf(layers, { format: 'legacy', gzip: true })]), dir);
    expect(saved.layers.map((l) => l.gzip)).to.deep.equal([true, true]);
    const members = new Map<string, Buffer>();
    const extract = tarStream.extract();
    Readable.from([
      await buffer(loadArchive(saved.config, [saved.layers[0]?.file ?? '', saved.layers[1]?.file ?? ''])),
    ]).pipe(extract);
    for await (const entry of extract) members.set(entry.header.name, await buffer(entry as unknown as Readable));
    expect([...members.keys()]).to.deep.equal(['config.json', 'layer-0.tar', 'layer-1.tar', 'manifest.json']);
    expect(JSON.parse(members.get('manifest.json')?.toString() ?? '')).to.deep.equal([
      { Config: 'config.json', RepoTags: null, Layers: ['layer-0.tar', 'layer-1.tar'] },
    ]);
    expect(members.get('config.json')?.equals(saved.config)).to.equal(true);
  });
});
