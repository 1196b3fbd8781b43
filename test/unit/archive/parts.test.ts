import { UnsafeArchiveError, DappdepsError } from '../../../src/errors.js';
import { entryPath, insideRoot, isWithin } from '../../../src/archive/tar/entry-path.js';
import { keepPrefix } from '../../../src/archive/extract/keep-prefix.js';
import { PathTree } from '../../../src/archive/overlay/path-tree.js';
import { sniff } from '../../../src/archive/tar/sniff.js';
import { symlinkTarget } from '../../../src/archive/tar/symlink-target.js';
import { parseWhiteout } from '../../../src/archive/overlay/whiteout.js';
import { expect, file, tarOf } from '../../support/archive-fixtures.js';

describe('archive: entry paths', () => {
  it('normalises names relative to the image root', () => {
    expect(entryPath('./')).to.equal('');
    expect(entryPath('./usr/bin/')).to.equal('usr/bin');
    expect(entryPath('usr//./bin/x')).to.equal('usr/bin/x');
    expect(entryPath('././a')).to.equal('a');
  });

  it('refuses absolute names and ".." segments, blaming the entry', () => {
    expect(() => entryPath('/etc/passwd')).to.throw(UnsafeArchiveError, /absolute/);
    expect(() => entryPath('.//etc')).to.throw(UnsafeArchiveError, /absolute/);
    expect(() => entryPath('a/../../b')).to.throw(UnsafeArchiveError, /"\.\." segment/);
    expect(() => entryPath('../x', 'the-link'))
      .to.throw(UnsafeArchiveError)
      .with.property('entry', 'the-link');
    expect(entryPath('a/..b/c..')).to.equal('a/..b/c..'); // only whole ".." segments climb
  });

  it('tells paths under a base apart from prefix siblings', () => {
    expect(isWithin('a/b', 'a')).to.equal(true);
    expect(isWithin('a', 'a')).to.equal(true);
    expect(isWithin('ab', 'a')).to.equal(false);
    expect(isWithin('anything', '')).to.equal(true);
  });

  it('joins to a root with path.relative, refusing prefix siblings', () => {
    expect(insideRoot('/tmp/out', 'a/b')).to.equal('/tmp/out/a/b');
    expect(() => insideRoot('/tmp/out', '../out-evil/x')).to.throw(UnsafeArchiveError);
    expect(() => insideRoot('/tmp/out', '/tmp/out-evil')).to.throw(UnsafeArchiveError);
  });
});

describe('archive: symlink targets', () => {
  it('rewrites absolute targets relative to the link', () => {
    expect(symlinkTarget('.dapp/deps/t/0.1.1/lib/libfoo.so', '/.dapp/deps/t/0.1.1/lib/libfoo.so.1', 'x')).to.equal(
      'libfoo.so.1',
    );
    expect(symlinkTarget('lib64/ld.so', '/lib/x86_64-linux-gnu/ld.so', 'x')).to.equal('../lib/x86_64-linux-gnu/ld.so');
    expect(symlinkTarget('root-link', '/', 'x')).to.equal('.');
    expect(symlinkTarget('etc/x', '/../../etc/passwd', 'x')).to.equal('passwd'); // "/.." is "/" inside the image
  });

  it('keeps relative targets inside the root, in normal form', () => {
    expect(symlinkTarget('etc/rc0.d/K01hwclock.sh', '../init.d/hwclock.sh', 'x')).to.equal('../init.d/hwclock.sh');
    expect(symlinkTarget('a/b/link', './c/../d', 'x')).to.equal('d');
    expect(symlinkTarget('top', '.', 'x')).to.equal('.');
  });

  it('refuses targets that leave the root, or none at all', () => {
    expect(() => symlinkTarget('a', '../../etc', 'a')).to.throw(UnsafeArchiveError, /leaves the root/);
    expect(() => symlinkTarget('a/b', 'x/../../..', 'a/b')).to.throw(UnsafeArchiveError, /leaves the root/);
    expect(() => symlinkTarget('a', '', 'a')).to.throw(UnsafeArchiveError, /empty target/);
  });
});

describe('archive: whiteout markers', () => {
  it('reads deletions and opaque directories', () => {
    expect(parseWhiteout('etc/.wh.passwd', 'e')).to.deep.equal({ kind: 'delete', path: 'etc/passwd' });
    expect(parseWhiteout('.wh.tmp', 'e')).to.deep.equal({ kind: 'delete', path: 'tmp' });
    expect(parseWhiteout('opt/app/.wh..wh..opq', 'e')).to.deep.equal({ kind: 'opaque', dir: 'opt/app' });
    expect(parseWhiteout('.wh..wh..opq', 'e')).to.deep.equal({ kind: 'opaque', dir: '' });
    expect(parseWhiteout('etc/wh.passwd', 'e')).to.equal(undefined);
    expect(parseWhiteout('etc/x.wh.y', 'e')).to.equal(undefined);
  });

  for (const bad of ['.wh.', 'a/.wh..', 'a/.wh...', 'a/.wh..wh..opqx', 'a/.wh..wh.plnk', '.wh.a/b']) {
    it(`refuses ${bad}`, () => {
      expect(() => parseWhiteout(bad, bad)).to.throw(UnsafeArchiveError);
    });
  }
});

describe('archive: keepPrefix', () => {
  const { prefix, keep } = keepPrefix('/.dapp/deps/toolchain/0.1.1/');
  it('keeps the prefix, what is under it, and the directories leading to it', () => {
    expect(prefix).to.equal('.dapp/deps/toolchain/0.1.1');
    expect(keep('.dapp/deps/toolchain/0.1.1/bin/gcc', false)).to.equal(true);
    expect(keep('.dapp/deps/toolchain/0.1.1', true)).to.equal(true);
    expect(keep('.dapp/deps', true)).to.equal(true);
    expect(keep('', true)).to.equal(true);
  });

  it('drops prefix siblings, everything else, and non-directories on the way', () => {
    expect(keep('.dapp/deps/toolchain/0.1.10/x', false)).to.equal(false);
    expect(keep('etc/passwd', false)).to.equal(false);
    expect(keep('.dapp/deps', false)).to.equal(false);
  });

  it('keeps everything without a prefix, and refuses relative or climbing ones', () => {
    expect(keepPrefix(undefined).keep('etc/passwd', false)).to.equal(true);
    expect(keepPrefix('/').keep('etc/passwd', false)).to.equal(true);
    expect(() => keepPrefix('.dapp')).to.throw(DappdepsError);
    expect(() => keepPrefix('/a/../b')).to.throw(DappdepsError);
  });
});

describe('archive: PathTree', () => {
  it('removes a path with everything below it, but not prefix siblings', () => {
    const tree = new PathTree<number>();
    for (const [i, p] of ['a', 'a/b', 'a/b/c', 'ab', 'x/y'].entries()) tree.set(p, i);
    tree.delete('a/b');
    expect([...tree.entries()]).to.deep.equal([
      ['a', 0],
      ['ab', 3],
      ['x/y', 4],
    ]);
    tree.deleteChildren('x');
    expect([...tree.entries()].map(([p]) => p)).to.deep.equal(['a', 'ab']);
    tree.delete('');
    expect([...tree.entries()]).to.deep.equal([]);
  });

  it('lists parents before children, siblings sorted', () => {
    const tree = new PathTree<true>();
    for (const p of ['b/z', 'a', 'b', 'a/c']) tree.set(p, true);
    expect([...tree.entries()].map(([p]) => p)).to.deep.equal(['a', 'a/c', 'b', 'b/z']);
  });
});

describe('archive: sniff', () => {
  it('classifies by magic bytes, not names', async () => {
    expect(sniff(Buffer.from([0x1f, 0x8b, 8, 0]))).to.equal('gzip');
    expect(sniff(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).to.equal('zstd');
    expect(sniff((await tarOf([file('f', 'x')])).subarray(0, 512))).to.equal('tar');
    expect(sniff(Buffer.alloc(512))).to.equal('tar'); // an empty layer
    expect(sniff(Buffer.from(' \n{"a":1}'))).to.equal('json');
    expect(sniff(Buffer.from('1.0'))).to.equal('other');
    const corrupt = await tarOf([file('f', 'x')]);
    corrupt[0] = 0x7a; // breaks the header checksum
    expect(sniff(corrupt.subarray(0, 512))).to.equal('other');
  });
});
