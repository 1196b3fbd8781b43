import fs from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { extractImage } from '../../../src/image/extract-image.js';
import { DappdepsError } from '../../../src/errors.js';
import {
  expect,
  file,
  listTree,
  type SaveOptions,
  saveOf,
  streamOf,
  tarOf,
  tempDir,
} from '../../support/archive-fixtures.js';
import {
  type Member,
  archiveOf,
  goodImage,
  goodLayers,
  json,
  member,
  membersOf,
  setJson,
  sha256,
} from '../../support/hostile-archives.js';
import { SAVE_READERS } from '../../support/image-readers.js';

type Change = (members: Member[]) => Member[] | void | Promise<void>;

/** The OCI image manifest blob (the one index.json names) and the config blob it names. */
function ociManifest(members: Member[]): Member {
  const digest = (json(member(members, 'index.json')) as { manifests: Array<{ digest: string }> }).manifests[0]?.digest;
  return member(members, `blobs/sha256/${digest?.slice('sha256:'.length)}`);
}
type Manifest = {
  config: { digest: string; size: number; mediaType: string };
  layers: Array<{ digest: string; size: number; mediaType: string }>;
};
const layerBlob = (members: Member[], i: number) =>
  member(members, `blobs/sha256/${(json(ociManifest(members)) as Manifest).layers[i]?.digest.slice(7)}`);

/** A different valid layer tar of the same length: what a tampered blob looks like. */
async function tampered(gzip: boolean): Promise<Buffer> {
  const evil = await tarOf([file('.dapp/deps/x/1/f', 'ko')]);
  return gzip ? gzipSync(evil) : evil;
}

/**
 * Class 2 of issue 9: every member the image uses is checked against what names it, archives whose
 * descriptors disagree are refused, a corrupt manifest.json is never passed over, and members nothing
 * references are never used (so they cannot fail a valid image either).
 */
describe('archive: integrity (issue 9, class 2)', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await tempDir();
  });
  afterEach(() => fs.rm(parent, { recursive: true, force: true }));

  const refused: Array<[string, Partial<SaveOptions>, Change, RegExp]> = [
    [
      'an OCI layer blob whose content does not match its digest',
      { format: 'oci' },
      (ms) => {
        const blob = layerBlob(ms, 1);
        const at = blob.body.indexOf('ok', 512 * 5); // the file's body, after the headers: still a valid tar
        expect(at).to.be.greaterThan(0);
        blob.body = Buffer.from(blob.body);
        blob.body.write('ko', at);
      },
      /does not match its digest/,
    ],
    [
      'a gzip OCI layer blob replaced by another valid gzip layer',
      { format: 'oci', gzip: true },
      async (ms) => {
        const blob = layerBlob(ms, 1);
        blob.body = await tampered(true);
      },
      /does not match its digest/,
    ],
    [
      'an OCI config blob whose content does not match its digest',
      { format: 'oci' },
      (ms) => {
        const config = member(ms, `blobs/sha256/${(json(ociManifest(ms)) as Manifest).config.digest.slice(7)}`);
        setJson(config, { ...(json(config) as object), os: 'evil' });
      },
      /does not match its digest/,
    ],
    [
      'an OCI image manifest whose content does not match its digest',
      { format: 'oci' },
      (ms) => {
        const manifest = ociManifest(ms);
        setJson(manifest, { ...(json(manifest) as object), annotations: { a: 'b' } });
      },
      /does not match its digest/,
    ],
    [
      'an OCI descriptor with the wrong size',
      { format: 'oci' },
      (ms) => rehash(ms, (m) => void ((m.layers[1] as { size: number }).size += 512)),
      /descriptor says/,
    ],
    [
      'an OCI descriptor saying gzip for a plain tar',
      { format: 'oci' },
      (ms) => rehash(ms, (m) => void ((m.layers[1] as { mediaType: string }).mediaType += '+gzip')),
      /uncompressed tar, its descriptor says .*\+gzip/,
    ],
    [
      'an OCI descriptor saying plain tar for a gzip layer',
      { format: 'oci', gzip: true },
      (ms) =>
        rehash(
          ms,
          (m) => void ((m.layers[1] as { mediaType: string }).mediaType = 'application/vnd.oci.image.layer.v1.tar'),
        ),
      /gzip-compressed, its descriptor says/,
    ],
    [
      'a legacy layer.tar whose content is not the diff_id the config lists',
      { format: 'legacy' },
      async (ms) => {
        const layer = member(ms, /layer\.tar$/);
        layer.body = await tampered(false);
      },
      /does not match the image config/,
    ],
    [
      'a legacy gzip layer whose uncompressed content is not the diff_id the config lists',
      { format: 'legacy', gzip: true },
      async (ms) => {
        const layers = ms.filter((m) => m.name.endsWith('layer.tar'));
        const last = layers[layers.length - 1] as Member;
        last.body = await tampered(true);
      },
      /does not match the image config/,
    ],
    [
      'a legacy config whose content is not the image id in its name',
      { format: 'legacy' },
      (ms) => {
        const config = member(ms, /^[a-f0-9]{64}\.json$/);
        setJson(config, { ...(json(config) as object), os: 'evil' });
      },
      /does not match its digest/,
    ],
    [
      'a config listing fewer diff_ids than the manifest has layers',
      { format: 'legacy' },
      (ms) => {
        const config = member(ms, /^[a-f0-9]{64}\.json$/);
        const value = json(config) as { rootfs: { diff_ids: string[] } };
        value.rootfs.diff_ids.pop();
        setJson(config, value);
        const renamed = `${sha256(config.body)}.json`;
        const manifest = member(ms, 'manifest.json');
        setJson(manifest, [{ ...(json(manifest) as object[])[0], Config: renamed }]);
        config.name = renamed;
      },
      /lists 1 layers \(rootfs.diff_ids\), the manifest 2/,
    ],
    [
      'Docker 25: manifest.json and index.json naming the layers in different orders',
      { format: 'docker25' },
      (ms) => {
        const manifest = member(ms, 'manifest.json');
        const [image] = json(manifest) as Array<{ Layers: string[] }>;
        setJson(manifest, [{ ...image, Layers: [...(image?.Layers ?? [])].reverse() }]);
      },
      /manifest.json and index.json describe different images/,
    ],
    [
      'Docker 25: manifest.json naming another config than index.json',
      { format: 'docker25' },
      (ms) => {
        const manifest = member(ms, 'manifest.json');
        const [image] = json(manifest) as Array<{ Layers: string[] }>;
        setJson(manifest, [{ ...image, Config: 'blobs/sha256/0000' }]);
      },
      /describe different images/,
    ],
    [
      'Docker 25: a corrupt manifest.json beside a valid index.json',
      { format: 'docker25' },
      (ms) => void (member(ms, 'manifest.json').body = Buffer.from('\x00\x01garbage')),
      /manifest.json in the archive is not JSON metadata/,
    ],
    [
      'Docker 25: a truncated manifest.json beside a valid index.json',
      { format: 'docker25' },
      (ms) => {
        const manifest = member(ms, 'manifest.json');
        manifest.body = manifest.body.subarray(0, 20);
      },
      /manifest.json in the archive is not valid JSON/,
    ],
    [
      'a layer named with an unsupported digest algorithm',
      { format: 'oci' },
      (ms) =>
        rehash(ms, (m, members) => {
          const layer = m.layers[1] as { digest: string };
          const blob = member(members, `blobs/sha256/${layer.digest.slice(7)}`);
          blob.name = `blobs/sha512/${layer.digest.slice(7)}`;
          layer.digest = `sha512:${layer.digest.slice(7)}`;
        }),
      /digest algorithm sha512 is not supported/,
    ],
  ];
  for (const [label, opts, change, message] of refused) {
    it(`refuses ${label}`, async () => {
      const archive = await rewriteAsync(await goodImage(opts), change);
      const target = path.join(parent, 'out');
      await expect(extractImage(streamOf(archive), { target }))
        .to.be.rejectedWith(DappdepsError)
        .and.eventually.have.property('message')
        .that.matches(message);
      expect(await listTree(parent)).to.deep.equal([]);
    });
    for (const reader of SAVE_READERS.filter((r) => r.formats.includes(opts.format ?? 'legacy'))) {
      it(`${reader.name}: refuses ${label}`, async () => {
        const archive = await rewriteAsync(await goodImage(opts), change);
        await expect(reader.read(streamOf(archive), parent))
          .to.be.rejectedWith(DappdepsError)
          .and.eventually.have.property('message')
          .that.matches(message);
      });
    }
  }

  /** Members no manifest references: each must leave a valid image extracting exactly as without it. */
  const unreferenced: Array<[string, () => Promise<Member[]>]> = [
    ['a hostile layer (traversal)', async () => [tarMember('evil/layer.tar', await tarOf([file('../../pwned', 'x')]))]],
    ['a hostile layer (absolute path)', async () => [tarMember('evil.tar', await tarOf([file('/etc/passwd', 'x')]))]],
    [
      'junk that looks like gzip',
      async () => [tarMember('junk.tar.gz', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]))],
    ],
    [
      'a truncated layer',
      async () => [tarMember('cut.tar', (await tarOf([file('a', 'x'.repeat(3000))])).subarray(0, 1500))],
    ],
    [
      'a blob whose content does not match its name',
      async () => [tarMember(`blobs/sha256/${'0'.repeat(64)}`, await tarOf([file('a', 'x')]))],
    ],
    ['a zstd blob', async () => [tarMember('z.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]))]],
    ['junk JSON', async () => [tarMember('extra.json', Buffer.from('{"not": "closed"'))]],
    [
      'the same layer name twice, both unused',
      async () => [
        tarMember('twice/layer.tar', await tarOf([file('a', 'x')])),
        tarMember('twice/layer.tar', await tarOf([file('b', 'y')])),
      ],
    ],
  ];
  for (const [label, extra] of unreferenced) {
    for (const format of ['legacy', 'oci', 'docker25'] as const) {
      it(`extracts a valid ${format} image beside an unreferenced member: ${label}`, async () => {
        const added = await extra();
        const archive = await rewriteAsync(await saveOf(await goodLayers(), { format }), (ms) => [...added, ...ms]);
        const target = path.join(parent, 'out');
        await extractImage(streamOf(archive), { target, only: '/.dapp/deps/x/1' });
        expect(await listTree(target)).to.deep.equal([
          '.dapp/',
          '.dapp/deps/',
          '.dapp/deps/x/',
          '.dapp/deps/x/1/',
          '.dapp/deps/x/1/f',
        ]);
        expect(await listTree(parent)).to.deep.equal(['out/', ...(await listTree(target)).map((p) => `out/${p}`)]);
      });
      for (const reader of SAVE_READERS.filter((r) => r.formats.includes(format))) {
        it(`${reader.name}: reads a valid ${format} image beside an unreferenced member: ${label}`, async () => {
          const added = await extra();
          const archive = await rewriteAsync(await saveOf(await goodLayers(), { format }), (ms) => [...added, ...ms]);
          await reader.read(streamOf(archive), parent);
        });
      }
    }
  }
});

function tarMember(name: string, body: Buffer): Member {
  return { name, type: 'file', body };
}

async function rewriteAsync(archive: Buffer, change: Change): Promise<Buffer> {
  const members = await membersOf(archive);
  const changed = await change(members);
  return archiveOf(changed ?? members);
}

/**
 * Edits the OCI image manifest and gives it the digest of its new content, as a careful forger would, so the
 * check that catches the case is the one the case is about.
 */
function rehash(members: Member[], edit: (manifest: Manifest, members: Member[]) => void): void {
  const blob = ociManifest(members);
  const value = json(blob) as Manifest;
  edit(value, members);
  setJson(blob, value);
  const index = member(members, 'index.json');
  const indexValue = json(index) as { manifests: Array<{ digest: string; size: number }> };
  const [descriptor] = indexValue.manifests;
  if (descriptor) Object.assign(descriptor, { digest: `sha256:${sha256(blob.body)}`, size: blob.body.length });
  blob.name = `blobs/sha256/${sha256(blob.body)}`;
  setJson(index, indexValue);
}
