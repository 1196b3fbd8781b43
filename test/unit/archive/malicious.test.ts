import fs from 'node:fs/promises';
import path from 'node:path';
import { DappdepsError, UnsafeArchiveError } from '../../../src/errors.js';
import { extractImage } from '../../../src/image/extract-image.js';
import { SAVE_READERS } from '../../support/image-readers.js';
import {
  type EntrySpec,
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

/**
 * Every archive here must be refused, with nothing written outside the target (the target's parent is a
 * fresh directory that must end up empty: no target, no staging) and nothing in the victim directory, a
 * second fresh directory that absolute paths and escaping links aim at.
 */
describe('archive: malicious and broken archives are refused', () => {
  let parent: string;
  let victim: string;
  beforeEach(async () => {
    [parent, victim] = await Promise.all([tempDir(), tempDir()]);
  });
  afterEach(async () => {
    await Promise.all([parent, victim].map((d) => fs.rm(d, { recursive: true, force: true })));
  });

  async function expectRefused(
    archive: Buffer,
    error: new (...args: never[]) => DappdepsError,
    message?: RegExp,
    only?: string,
  ): Promise<void> {
    const target = path.join(parent, 'out');
    const refused = expect(extractImage(streamOf(archive), { target, only })).to.be.rejectedWith(error);
    await (message ? refused.and.eventually.have.property('message').that.matches(message) : refused);
    expect(await listTree(parent), 'left behind next to the target').to.deep.equal([]);
    expect(await listTree(victim), 'written outside the target').to.deep.equal([]);
  }

  const unsafe = unsafeEntries(() => victim);
  for (const [label, entries, message] of unsafe) {
    it(`refuses ${label}`, async () => {
      await expectRefused(await image(entries()), UnsafeArchiveError, message);
    });
  }

  it('refuses unsafe entries in gzip layers of an OCI archive too', async () => {
    await expectRefused(await image([file('../x', 'pwned')], { format: 'oci', gzip: true }), UnsafeArchiveError);
  });

  it('refuses a traversal entry even when it is outside `only`', async () => {
    await expectRefused(
      await image([file('.dapp/deps/x/1/f', 'ok'), file('../x', 'pwned')]),
      UnsafeArchiveError,
      /"\.\." segment/,
      '/.dapp/deps/x/1',
    );
  });

  const broken = brokenArchives();
  for (const [label, archive, message] of broken) {
    it(`refuses ${label}`, async () => {
      await expectRefused(await archive(), DappdepsError, message);
    });
  }

  it('refuses an `only` that is not absolute or climbs', async () => {
    const archive = await image([file('f', 'x')]);
    await expectRefused(archive, DappdepsError, /"only" must be an absolute path/, 'relative/path');
    await expectRefused(archive, DappdepsError, /"only" must be an absolute path/, '/a/../..');
  });

  it('refuses an `only` prefix the image does not have', async () => {
    await expectRefused(
      await image([file('f', 'x')]),
      DappdepsError,
      /nothing under \/\.dapp\/deps\/none/,
      '/.dapp/deps/none',
    );
  });

  it('removes parent directories it created for the target', async () => {
    const target = path.join(parent, 'a', 'b', 'out');
    await expect(extractImage(streamOf(await image([file('../x', 'pwned')])), { target })).to.be.rejectedWith(
      UnsafeArchiveError,
    );
    expect(await listTree(parent)).to.deep.equal([]);
  });
});

/** The refusals a reader that reads entries as paths (the ext4 tree) must make too. */
const NAME_LEVEL = /"\.\." segment|absolute path|whiteout/;

/**
 * The same corpus against every reader of `docker save` streams (test/support/image-readers.ts): none writes
 * outside its folder or into the victim, none unpacks an entry it was not built to check, broken archives are
 * refused by all, unsafe entries by every reader that reads entries.
 */
describe('archive: the malicious corpus against every reader', () => {
  let parent: string;
  let victim: string;
  beforeEach(async () => {
    [parent, victim] = await Promise.all([tempDir(), tempDir()]);
  });
  afterEach(async () => {
    await Promise.all([parent, victim].map((d) => fs.rm(d, { recursive: true, force: true })));
  });

  /** Nothing outside the reader's folder, nothing in the victim, no link or special file anywhere. */
  async function expectContained(dir: string): Promise<void> {
    expect(await fs.readdir(parent), "written next to the reader's folder").to.deep.equal([path.basename(dir)]);
    expect(await listTree(victim), "written outside the reader's folder").to.deep.equal([]);
    const unpacked = [];
    for (const rel of await listTree(dir)) {
      const stat = await fs.lstat(path.join(dir, rel));
      if (!stat.isFile() && !stat.isDirectory()) unpacked.push(rel);
    }
    expect(unpacked, 'links or special files made from the entries').to.deep.equal([]);
  }

  for (const reader of SAVE_READERS) {
    describe(reader.name, () => {
      for (const [label, entries, message] of unsafeEntries(() => victim)) {
        const refuses =
          reader.entries === 'extracted' ||
          (reader.entries === 'named' && NAME_LEVEL.test(message.source.replace(/\\/g, '')));
        it(`${refuses ? 'refuses' : 'holds without unpacking'} ${label}`, async () => {
          const dir = path.join(parent, 'reader');
          await fs.mkdir(dir);
          const read = reader.read(streamOf(await image(entries())), dir);
          if (refuses) await expect(read).to.be.rejectedWith(UnsafeArchiveError, message);
          else await read;
          await expectContained(dir);
        });
      }
      // The bundle copies an engine's save, which always has manifest.json: OCI-only archives are not its input.
      const broken = brokenArchives().filter(([label]) => reader.name !== 'bundle' || !/OCI|media type/.test(label));
      for (const [label, archive] of broken) {
        it(`refuses ${label}`, async () => {
          const dir = path.join(parent, 'reader');
          await fs.mkdir(dir);
          await expect(reader.read(streamOf(await archive()), dir)).to.be.rejectedWith(DappdepsError);
          await expectContained(dir);
        });
      }
    });
  }
});

/** One good layer first, so a refusal also has to clean up a layer that was staged fine. */
async function image(entries: EntrySpec[], opts: Partial<SaveOptions> = {}): Promise<Buffer> {
  const good = await tarOf([dir('./'), dir('./etc/'), file('./etc/hosts', 'localhost')]);
  return saveOf([good, await tarOf(entries)], { format: 'legacy', ...opts });
}

/**
 * Entries no reader may write where they point; each is [label, entries, what the refusal says]. `victim()` is
 * a folder outside the target that absolute paths and escaping links aim at.
 */
function unsafeEntries(victim: () => string): Array<[string, () => EntrySpec[], RegExp]> {
  return [
    ['a traversal entry', () => [file('../x', 'pwned')], /"\.\." segment/],
    ['a traversal hidden mid-path', () => [file('etc/../../x', 'pwned')], /"\.\." segment/],
    ['an absolute path entry', () => [file(`${victim()}/pwned`, 'pwned')], /absolute path/],
    ['a symlink climbing out', () => [symlink('a', '../../etc')], /leaves the root/],
    ['a symlink climbing out from below', () => [symlink('etc/a', '../../../../x')], /leaves the root/],
    [
      'a file written through an earlier symlink',
      () => [symlink('a', victim()), file('a/pwned', 'pwned')],
      /through symlink a/,
    ],
    ['a directory written through an earlier symlink', () => [symlink('a', '/'), dir('a/etc/')], /through symlink a/],
    ['a hardlink climbing out', () => [hardlink('h', '../../etc/passwd')], /"\.\." segment/],
    ['an absolute hardlink', () => [hardlink('h', '/etc/passwd')], /absolute path/],
    ['a hardlink to a file not extracted earlier', () => [hardlink('h', 'etc/shadow')], /not a file extracted earlier/],
    ['a hardlink to a file of a lower layer', () => [hardlink('h', 'etc/hosts')], /not a file extracted earlier/],
    ['a hardlink to a directory', () => [dir('d/'), hardlink('h', 'd')], /not a file extracted earlier/],
    [
      'a hardlink to a symlink',
      () => [symlink('s', '/etc/passwd'), hardlink('h', 's')],
      /not a file extracted earlier/,
    ],
    ['a prefix-sibling symlink (out -> out-evil)', () => [symlink('evil', '../out-evil')], /leaves the root/],
    ['a prefix-sibling hardlink', () => [hardlink('evil', '../out-evil/f')], /"\.\." segment/],
    ['a prefix-sibling entry', () => [file('../out-evil/f', 'pwned')], /"\.\." segment/],
    [
      'a character device',
      () => [{ name: 'dev/null', type: 'character-device' }],
      /character-device entries are not allowed/,
    ],
    ['a block device', () => [{ name: 'dev/sda', type: 'block-device' }], /block-device entries are not allowed/],
    ['a fifo', () => [{ name: 'tmp/fifo', type: 'fifo' }], /fifo entries are not allowed/],
    ['a whiteout with no name', () => [file('etc/.wh.', '')], /whiteout names no file/],
    ['a whiteout for .', () => [file('etc/.wh..', '')], /whiteout names no file/],
    ['a whiteout for ..', () => [file('etc/.wh...', '')], /whiteout names no file/],
    ['an unknown .wh..wh. marker', () => [file('etc/.wh..wh.plnk', '')], /unknown whiteout meta-marker/],
    ['an entry below a whiteout marker', () => [dir('.wh.etc/'), file('.wh.etc/x', '')], /below a whiteout marker/],
    ['a symlink replacing the root', () => [symlink('./', '/tmp')], /root must be a directory/],
    // A path tar-fs saw as a directory, then replaced: its checks must see the file now, not remember the directory.
    [
      'an entry below a file that replaced a directory',
      () => [dir('a/'), file('a/x', ''), file('a', 'now a file'), file('a/y', '')],
      /invalid path/,
    ],
  ];
}

/** Archives that are not a whole, readable image: every reader refuses them. */
function brokenArchives(): Array<[string, () => Promise<Buffer>, RegExp]> {
  return [
    [
      'a manifest naming a layer missing from the archive',
      () => image([file('f', 'x')], { omit: [1] }),
      /names layer .* not in the archive/,
    ],
    [
      'an OCI index naming a layer missing from the archive',
      () => image([file('f', 'x')], { format: 'oci', omit: [0] }),
      /not in the archive/,
    ],
    [
      'a zstd layer (by its bytes)',
      async () => saveOf([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0])], { format: 'docker25' }),
      /zstd/,
    ],
    [
      'a zstd layer (by its media type)',
      async () =>
        saveOf([await tarOf([file('f', 'x')])], {
          format: 'oci',
          mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
        }),
      /zstd/,
    ],
    [
      'a manifest naming a member that is not a tar',
      async () => tarOf([file('config.json', '{}'), file('manifest.json', '[{"Layers":["config.json"]}]')]),
      /not a tar archive/,
    ],
    [
      'an archive with two images',
      async () => tarOf([file('manifest.json', '[{"Layers":[]},{"Layers":[]}]')]),
      /2 images/,
    ],
    [
      'a malformed manifest.json',
      async () => tarOf([file('manifest.json', '[{"Layers":"x"}]')]),
      /manifest.json is not as docker save writes it/,
    ],
    [
      'an archive without manifest',
      async () => tarOf([file('hello.txt', 'hi')]),
      /neither manifest.json nor index.json/,
    ],
    [
      'a truncated archive',
      async () => (await image([file('f', 'x'.repeat(5000))])).subarray(0, 6000),
      /reading the image from its docker save stream failed/,
    ],
    [
      'a layer that is not a tar archive',
      async () => saveOf([Buffer.alloc(600, 1)], { format: 'legacy' }),
      /not a tar archive/,
    ],
  ];
}
