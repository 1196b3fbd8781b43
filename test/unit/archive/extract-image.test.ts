import fs from 'node:fs/promises';
import path from 'node:path';
import { DappdepsError } from '../../../src/errors.js';
import { extractImage, type ExtractOptions } from '../../../src/image/extract-image.js';
import {
  MTIME,
  type SaveOptions,
  dir,
  expect,
  file,
  hardlink,
  listTree,
  saveOf,
  streamOf,
  symlink,
  tarOf,
  tempDir,
} from '../../support/archive-fixtures.js';

const LAYER3_ETC_MTIME = new Date('2021-05-06T07:08:09Z');

/** Three layers: a whiteout, an opaque directory, read-only files and dirs, a hardlink, an absolute symlink. */
async function threeLayers(): Promise<Buffer[]> {
  return Promise.all([
    tarOf([
      dir('./'),
      dir('./etc/'),
      file('./etc/config', 'one'),
      file('./etc/remove-me', 'bye'),
      dir('./opt/app/'),
      file('./opt/app/old.txt', 'old'),
      dir('./opt/app/sub/'),
      file('./opt/app/sub/deep.txt', 'deep'),
      file('./usr/bin/tool', 'v1', 0o555), // no directory entries for its parents
      hardlink('./usr/bin/tool-link', './usr/bin/tool', 0o555),
      file('./usr/lib/libfoo.so.1', 'elf'),
      symlink('./usr/lib/libfoo.so', '/usr/lib/libfoo.so.1'),
      dir('./ro/', 0o555),
      file('./ro/file', 'locked', 0o444),
    ]),
    tarOf([
      file('etc/.wh.remove-me', ''),
      dir('opt/app/'),
      file('opt/app/.wh..wh..opq', ''),
      file('opt/app/new.txt', 'new'),
      file('usr/bin/tool', 'v2', 0o755),
      file('ro/.wh.file', ''),
    ]),
    tarOf([dir('etc/', 0o700, LAYER3_ETC_MTIME), file('etc/config', 'three')]),
  ]);
}

const EXPECTED_TREE = [
  'etc/',
  'etc/config',
  'opt/',
  'opt/app/',
  'opt/app/new.txt',
  'ro/',
  'usr/',
  'usr/bin/',
  'usr/bin/tool',
  'usr/bin/tool-link',
  'usr/lib/',
  'usr/lib/libfoo.so',
  'usr/lib/libfoo.so.1',
];

describe('archive: extractImage', () => {
  let parent: string;
  let target: string;
  beforeEach(async () => {
    parent = await tempDir();
    target = path.join(parent, 'out');
  });
  afterEach(async () => {
    await fs.chmod(path.join(target, 'ro'), 0o755).catch(() => undefined);
    await fs.rm(parent, { recursive: true, force: true });
  });

  async function extract(archive: Buffer, opts: Partial<ExtractOptions> = {}) {
    return extractImage(streamOf(archive), { target, ...opts });
  }

  const layouts: Array<[string, SaveOptions]> = [
    ['legacy', { format: 'legacy' }],
    ['legacy with manifest.json first', { format: 'legacy', manifestFirst: true }],
    ['OCI layout (index.json only, layers arriving in reverse)', { format: 'oci' }],
    ['Docker 25 (OCI blobs + manifest.json)', { format: 'docker25' }],
    ['legacy, gzip layers', { format: 'legacy', gzip: true }],
    ['OCI, gzip layers', { format: 'oci', gzip: true }],
  ];
  for (const [label, save] of layouts) {
    it(`applies layers in manifest order with whiteouts: ${label}`, async () => {
      const stats = await extract(await saveOf(await threeLayers(), save));
      expect(await listTree(target)).to.deep.equal(EXPECTED_TREE);
      expect(await fs.readFile(path.join(target, 'etc/config'), 'utf8')).to.equal('three');
      expect(await fs.readFile(path.join(target, 'usr/bin/tool'), 'utf8')).to.equal('v2');
      expect(stats).to.deep.equal({
        layers: 3,
        files: 12,
        bytes: 34,
        removedByWhiteout: 4,
        format: save.format === 'legacy' ? 'legacy' : 'oci',
      });
      expect(await fs.readdir(parent)).to.deep.equal(['out']); // staging gone
    });
  }

  it('keeps modes, mtimes and hardlinks, and lets later layers replace read-only files', async () => {
    await extract(await saveOf(await threeLayers(), { format: 'legacy' }));
    const mode = async (rel: string) => (await fs.lstat(path.join(target, rel))).mode & 0o7777;
    expect(await mode('usr/bin/tool')).to.equal(0o755);
    expect(await mode('usr/bin/tool-link')).to.equal(0o555); // the layer-1 inode, unlinked from the replaced file
    expect(await fs.readFile(path.join(target, 'usr/bin/tool-link'), 'utf8')).to.equal('v1');
    expect(await mode('ro')).to.equal(0o555);
    expect(await mode('etc')).to.equal(0o700);
    expect((await fs.stat(path.join(target, 'etc'))).mtime.getTime()).to.equal(LAYER3_ETC_MTIME.getTime());
    expect((await fs.stat(path.join(target, 'opt/app'))).mtime.getTime()).to.equal(MTIME.getTime());
    expect((await fs.stat(path.join(target, 'etc/config'))).mtime.getTime()).to.equal(MTIME.getTime());
  });

  it('links hardlinks within a layer to the same inode', async () => {
    const layer = await tarOf([file('a', 'same', 0o600), hardlink('b', 'a', 0o600)]);
    await extract(await saveOf([layer], { format: 'oci' }));
    const [a, b] = await Promise.all([fs.stat(path.join(target, 'a')), fs.stat(path.join(target, 'b'))]);
    expect(b.ino).to.equal(a.ino);
    expect(a.nlink).to.equal(2);
  });

  it('rewrites absolute symlinks relative to the link, so they resolve inside the tree', async () => {
    const prefix = '.dapp/deps/toolchain/0.1.1';
    const layer = await tarOf([
      file(`${prefix}/lib/libfoo.so.1`, 'elf'),
      symlink(`${prefix}/lib/libfoo.so`, `/${prefix}/lib/libfoo.so.1`),
      symlink(`${prefix}/bin/ld`, `/${prefix}/lib/../bin/ld.real`),
      symlink('lib', 'usr/lib'),
      symlink('etc/alt/pager', '/'),
    ]);
    await extract(await saveOf([layer], { format: 'legacy' }));
    expect(await fs.readlink(path.join(target, prefix, 'lib/libfoo.so'))).to.equal('libfoo.so.1');
    expect(await fs.readFile(path.join(target, prefix, 'lib/libfoo.so'), 'utf8')).to.equal('elf');
    expect(await fs.readlink(path.join(target, prefix, 'bin/ld'))).to.equal('ld.real');
    expect(await fs.readlink(path.join(target, 'lib'))).to.equal('usr/lib');
    expect(await fs.readlink(path.join(target, 'etc/alt/pager'))).to.equal('../..');
  });

  it('keeps only the prefix (and the directories leading to it), reporting what the final image holds outside it', async () => {
    const prefix = '/.dapp/deps/toolchain/0.1.1';
    const layers = await Promise.all([
      tarOf([
        dir('./'),
        dir('./.dapp/', 0o711),
        dir('./.dapp/deps/'),
        dir('./.dapp/deps/toolchain/'),
        file(`.${prefix}/bin/gcc`, 'gcc', 0o755),
        file(`.${prefix}/lib/libfoo.so.1`, 'elf'),
        symlink(`.${prefix}/lib/libfoo.so`, `${prefix}/lib/libfoo.so.1`),
        file('./.dapp/deps/toolchain/0.1.10/sibling', 'not ours'), // a prefix sibling, not under the prefix
        file('./.dapp/deps/git/2.0/git', 'git'),
        dir('./etc/'),
        file('./etc/passwd', 'root'),
        file('./etc/group', 'root'),
        { name: './dev/null', type: 'character-device', mode: 0o666 }, // never written: outside the prefix
      ]),
      tarOf([file('etc/.wh.passwd', ''), file(`.${prefix}/bin/.wh.gcc`, ''), file(`.${prefix}/bin/cc`, 'cc')]),
    ]);
    const outside: string[] = [];
    const stats = await extract(await saveOf(layers, { format: 'docker25', gzip: true }), {
      only: prefix,
      onOutside: (p) => outside.push(p),
    });
    expect(await listTree(target)).to.deep.equal([
      '.dapp/',
      '.dapp/deps/',
      '.dapp/deps/toolchain/',
      '.dapp/deps/toolchain/0.1.1/',
      '.dapp/deps/toolchain/0.1.1/bin/',
      '.dapp/deps/toolchain/0.1.1/bin/cc',
      '.dapp/deps/toolchain/0.1.1/lib/',
      '.dapp/deps/toolchain/0.1.1/lib/libfoo.so',
      '.dapp/deps/toolchain/0.1.1/lib/libfoo.so.1',
    ]);
    expect((await fs.stat(path.join(target, '.dapp'))).mode & 0o777).to.equal(0o711);
    expect(outside).to.deep.equal([
      '/.dapp/deps/git/2.0/git',
      '/.dapp/deps/toolchain/0.1.10/sibling',
      '/dev/null',
      '/etc',
      '/etc/group',
    ]);
    expect(stats.removedByWhiteout).to.equal(1); // gcc; /etc/passwd was never written
  });

  it('applies a layer the manifest names twice at both places', async () => {
    const a = await tarOf([file('f', 'a')]);
    const b = await tarOf([file('f', 'b'), file('g', 'b')]);
    const stats = await extract(await saveOf([a, b, a], { format: 'oci' }));
    expect(await fs.readFile(path.join(target, 'f'), 'utf8')).to.equal('a');
    expect(await fs.readFile(path.join(target, 'g'), 'utf8')).to.equal('b');
    expect(stats.layers).to.equal(3);
  });

  it('follows a legacy layer.tar that is a symlink to an identical earlier layer', async () => {
    const a = await tarOf([file('f', 'a')]);
    const legacy = await saveOf([a, a], {
      format: 'legacy',
      omit: [1],
      extra: [symlink(`${await legacyLayerDir(a, a, 1)}/layer.tar`, `../${await legacyLayerDir(a, a, 0)}/layer.tar`)],
    });
    const stats = await extract(legacy);
    expect(await fs.readFile(path.join(target, 'f'), 'utf8')).to.equal('a');
    expect(stats.layers).to.equal(2); // layer 2 is layer 1 again
  });

  it('extracts hardlinks when the target is reached through a symlink (like /tmp on macOS)', async () => {
    await fs.mkdir(path.join(parent, 'real'));
    await fs.symlink('real', path.join(parent, 'via-link'));
    const layer = await tarOf([file('a', 'same'), hardlink('b', 'a')]);
    await extractImage(streamOf(await saveOf([layer], { format: 'legacy' })), {
      target: path.join(parent, 'via-link', 'out'),
    });
    expect(await listTree(path.join(parent, 'real'))).to.deep.equal(['out/', 'out/a', 'out/b']);
  });

  it('extracts into an existing empty directory', async () => {
    await fs.mkdir(target);
    await extract(await saveOf([await tarOf([file('f', 'x')])], { format: 'legacy' }));
    expect(await listTree(target)).to.deep.equal(['f']);
  });

  it('refuses a target that is not empty, and leaves it alone', async () => {
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'keep'), 'mine');
    await expect(extract(await saveOf([await tarOf([file('f', 'x')])], { format: 'legacy' }))).to.be.rejectedWith(
      DappdepsError,
      /not empty/,
    );
    expect(await listTree(target)).to.deep.equal(['keep']);
    expect(await fs.readdir(parent)).to.deep.equal(['out']);
  });

  it('reads an empty layer (just the end-of-archive blocks)', async () => {
    const stats = await extract(await saveOf([await tarOf([file('f', 'x')]), Buffer.alloc(1024)], { format: 'oci' }));
    expect(await listTree(target)).to.deep.equal(['f']);
    expect(stats.layers).to.equal(2);
  });
});

/** The `<id>` directory saveOf gives legacy layer `i` of the image [a, b]. */
async function legacyLayerDir(a: Buffer, b: Buffer, i: number): Promise<string> {
  const { createHash } = await import('node:crypto');
  const hex = (x: Buffer | string) => createHash('sha256').update(x).digest('hex');
  return hex(`${i}:${hex(i === 0 ? a : b)}`);
}
