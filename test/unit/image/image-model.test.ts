import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import tarStream from 'tar-stream';
import { DappdepsError } from '../../../src/errors.js';
import { encodeImageConfig, parseImageConfig } from '../../../src/image/image-config.js';
import { type Image, imageId, readImageToDisk, readImageToDiskWith } from '../../../src/image/image.js';
import { appendLayer, editConfig, rewriteTopLayer, withoutTopLayer } from '../../../src/image/image-mutations.js';
import { type ImageLoader, loadImage } from '../../../src/image/load-image.js';
import { writeImage } from '../../../src/image/write-image.js';
import { dir as dirEntry, expect, file, saveOf, tarOf } from '../../support/archive-fixtures.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('image: the image model (read, change, write, load)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-image-model-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function saved(layers: Buffer[], format: 'legacy' | 'oci' | 'docker25', gzip = false): Promise<Image> {
    return readImageToDisk(Readable.from([await saveOf(layers, { format, gzip })]), dir);
  }

  for (const format of ['legacy', 'oci', 'docker25'] as const) {
    for (const gzip of [false, true]) {
      it(`reads a ${format}${gzip ? ' gzip' : ''} save: uncompressed layers in manifest order, typed config`, async () => {
        const layers = [await tarOf([file('a', '1')]), await tarOf([file('b', '2')])];
        const image = await saved(layers, format, gzip);
        expect(image.layers.map((l) => l.diffId)).to.deep.equal(layers.map(sha));
        for (const [i, layer] of image.layers.entries())
          expect((await readFile(layer.file)).equals(layers[i] as Buffer)).to.equal(true);
        expect(image.config.rootfs?.diff_ids).to.deep.equal(layers.map(sha));
        expect(imageId(image)).to.equal(sha(image.configBytes));
      });
    }
  }

  it('reads a save to disk with a second reader of each layer, and refuses the image when that reader refuses a layer it uses', async () => {
    const layers = [await tarOf([file('a', '1')]), await tarOf([dirEntry('d/'), file('d/b', '22')])];
    const read = await readImageToDiskWith(Readable.from([await saveOf(layers, { format: 'legacy' })]), dir, buffer);
    for (const [i, seen] of read.seen.entries()) expect(seen.equals(layers[i] as Buffer)).to.equal(true);
    for (const [i, layer] of read.image.layers.entries())
      expect((await readFile(layer.file)).equals(layers[i] as Buffer)).to.equal(true);
    const refusing = async () => {
      throw new DappdepsError('not a layer I can read');
    };
    const save = Readable.from([await saveOf(layers, { format: 'legacy' })]);
    await expect(readImageToDiskWith(save, path.join(dir, 'x'), refusing)).to.be.rejectedWith(/not a layer I can read/);
  });

  it('keeps the field order and unknown fields of a config it changes', () => {
    const original = Buffer.from(
      JSON.stringify({
        'moby.buildkit.buildinfo.v1': 'x',
        architecture: 'amd64',
        os: 'linux',
        config: { User: 'u', Cmd: ['a'] },
      }),
    );
    const config = parseImageConfig(original, 'config');
    const changed = encodeImageConfig({ ...config, architecture: 'arm64', variant: 'v8' }, original);
    expect(changed.toString()).to.equal(
      JSON.stringify({
        'moby.buildkit.buildinfo.v1': 'x',
        architecture: 'arm64',
        os: 'linux',
        config: { User: 'u', Cmd: ['a'] },
        variant: 'v8',
      }),
    );
    expect(encodeImageConfig(config, original).equals(original)).to.equal(true);
  });

  it('refuses a config that is not one, naming it', () => {
    expect(() => parseImageConfig(Buffer.from('{"config": {"Env": "PATH=/bin"}}'), 'image config x.json')).to.throw(
      DappdepsError,
      /image config x\.json is not an image config/,
    );
  });

  it('changes images without changing the one given: config, top layer filtered, layer appended', async () => {
    const image = await saved(
      [await tarOf([file('a', '1')]), await tarOf([dirEntry('tmp/'), file('tmp/x', 'x'), file('keep', 'k')])],
      'legacy',
    );
    const before = Buffer.from(image.configBytes);
    const labelled = editConfig(image, (c) => ({ ...c, config: { ...c.config, Labels: { a: 'b' } } }));
    expect(labelled.config.config?.Labels).to.deep.equal({ a: 'b' });
    expect(image.configBytes.equals(before)).to.equal(true);

    const filtered = await rewriteTopLayer(labelled, (e) => !e.path.startsWith('tmp'), path.join(dir, 'top.tar'));
    expect(filtered.layers).to.have.length(2);
    expect(filtered.layers[0]).to.deep.equal(image.layers[0]);
    expect(filtered.config.rootfs?.diff_ids?.[1]).to.equal(filtered.layers[1]?.diffId);
    expect(filtered.layers[1]?.diffId).to.equal(sha(await readFile(path.join(dir, 'top.tar'))));

    const { image: lower, top } = withoutTopLayer(filtered);
    expect(lower.layers).to.have.length(1);
    const again = appendLayer(lower, top, { created_by: 'test' });
    expect(again.config.rootfs?.diff_ids).to.deep.equal(filtered.config.rootfs?.diff_ids);
    expect(again.config.history?.at(-1)).to.deep.equal({ created_by: 'test' });
  });

  it('writes a docker-archive that the reader reads back as the same image', async () => {
    const image = await saved([await tarOf([file('a', '1')]), await tarOf([file('b', '2')])], 'oci', true);
    const back = await mkdtemp(path.join(dir, 'back-'));
    const reread = await readImageToDisk(Readable.from([await buffer(writeImage(image))]), back);
    expect(reread.configBytes.equals(image.configBytes)).to.equal(true);
    expect(reread.layers.map((l) => l.diffId)).to.deep.equal(image.layers.map((l) => l.diffId));
  });

  describe('loadImage: load, check the id and layers, then tag', () => {
    function fakeEngine(behaviour: { report?: (id: string) => string[]; layers?: (diffIds: string[]) => string[] }) {
      const held = new Map<string, string[]>();
      const calls: string[] = [];
      let pending: { id: string; diffIds: string[] } | undefined;
      const engine: ImageLoader = {
        inspect: async (ref) => {
          const diffIds = held.get(ref);
          return diffIds && { id: ref, diffIds };
        },
        load: async (archive) => {
          await buffer(archive);
          if (!pending) throw new Error('no image');
          held.set(pending.id, (behaviour.layers ?? ((d) => d))(pending.diffIds));
          calls.push(`load ${pending.id}`);
          return (behaviour.report ?? ((id) => [id]))(pending.id);
        },
        tag: async (id, ref) => {
          calls.push(`tag ${id} ${ref}`);
        },
        remove: async (id) => {
          held.delete(id);
          calls.push(`remove ${id}`);
        },
      };
      return {
        engine,
        calls,
        expect: (image: Image) => (pending = { id: imageId(image), diffIds: image.layers.map((l) => l.diffId) }),
      };
    }

    it('tags only an image the engine holds with the layers it was written with', async () => {
      const image = await saved([await tarOf([file('a', '1')])], 'legacy');
      const fake = fakeEngine({});
      fake.expect(image);
      expect(await loadImage(fake.engine, image, { tag: 'x:1' })).to.equal(imageId(image));
      expect(fake.calls).to.deep.equal([`load ${imageId(image)}`, `tag ${imageId(image)} x:1`]);
    });

    it('accepts an empty load report (Podman) when the engine holds the image', async () => {
      const image = await saved([await tarOf([file('a', '1')])], 'legacy');
      const fake = fakeEngine({ report: () => [] });
      fake.expect(image);
      await loadImage(fake.engine, image, { tag: 'x:1' });
      expect(fake.calls.at(-1)).to.equal(`tag ${imageId(image)} x:1`);
    });

    it('refuses a report naming another image, and removes what it loaded without tagging', async () => {
      const image = await saved([await tarOf([file('a', '1')])], 'legacy');
      const fake = fakeEngine({ report: () => ['sha256:other'] });
      fake.expect(image);
      await expect(loadImage(fake.engine, image, { tag: 'x:1' })).to.be.rejectedWith(DappdepsError, /not sha256:/);
      expect(fake.calls).to.deep.equal([`load ${imageId(image)}`, `remove ${imageId(image)}`]);
    });

    it('refuses an image whose layers the engine reports differently', async () => {
      const image = await saved([await tarOf([file('a', '1')])], 'legacy');
      const fake = fakeEngine({ layers: () => ['sha256:else'] });
      fake.expect(image);
      await expect(loadImage(fake.engine, image, { tag: 'x:1' })).to.be.rejectedWith(/does not have the layers/);
      expect(fake.calls.some((c) => c.startsWith('tag'))).to.equal(false);
    });

    it('leaves the layers the engine holds out of the archive, and sends the whole one when the engine refuses that', async () => {
      const image = await saved([await tarOf([file('a', '1')]), await tarOf([file('b', '2')])], 'legacy');
      const members = async (archive: Readable) => {
        const names: string[] = [];
        const extract = tarStream.extract();
        archive.pipe(extract);
        for await (const entry of extract) {
          names.push(entry.header.name);
          entry.resume();
        }
        return names;
      };
      for (const refuses of [false, true]) {
        const sent: string[][] = [];
        const fake = fakeEngine({});
        fake.expect(image);
        const load = fake.engine.load;
        fake.engine.load = async (archive, signal) => {
          const names = await members(archive);
          sent.push(names);
          if (refuses && !names.includes('layer-0.tar')) throw new Error('open layer-0.tar: no such file');
          return load(Readable.from([]), signal);
        };
        expect(await loadImage(fake.engine, image, { tag: 'x:1', held: 1 })).to.equal(imageId(image));
        const whole = ['config.json', 'layer-0.tar', 'layer-1.tar', 'manifest.json'];
        const short = ['config.json', 'layer-1.tar', 'manifest.json'];
        expect(sent).to.deep.equal(refuses ? [short, whole] : [short]);
      }
    });

    it('does not load again after an interrupted load', async () => {
      const image = await saved([await tarOf([file('a', '1')]), await tarOf([file('b', '2')])], 'legacy');
      const fake = fakeEngine({});
      const stop = new AbortController();
      let loads = 0;
      fake.engine.load = async () => {
        loads++;
        stop.abort();
        throw new Error('aborted');
      };
      await expect(loadImage(fake.engine, image, { held: 1, signal: stop.signal })).to.be.rejectedWith(/aborted/);
      expect(loads).to.equal(1);
    });
  });
});
