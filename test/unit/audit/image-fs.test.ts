import { expect } from 'chai';
import { ImageFs, type ImageRoot } from '../../../src/audit/image-fs.js';
import { DappdepsError } from '../../../src/errors.js';
import { BASE, GIT, TempImages } from '../../support/audit-fixtures.js';

describe('audit: image file system', () => {
  const images = new TempImages();
  let fs: ImageFs;
  let git: ImageRoot;
  let base: ImageRoot;

  before(async () => {
    git = {
      prefix: GIT,
      dir: await images.make({
        [`${GIT}/bin/git`]: 'binary',
        [`${GIT}/lib/libz.so.1`]: { symlink: `${BASE}/lib/libz.so.1.2.13` },
        [`${GIT}/lib/up`]: { symlink: '../../../base/0.2.3/lib' },
        [`${GIT}/libexec`]: { symlink: 'share/deep/dir' },
        [`${GIT}/share/deep/dir/tool`]: 'tool',
        [`${GIT}/escape`]: { symlink: '/usr/lib' },
        [`${GIT}/climb`]: { symlink: '../../../../../../usr/lib' },
        [`${GIT}/dangling`]: { symlink: 'nowhere' },
        [`${GIT}/loop-a`]: { symlink: 'loop-b' },
        [`${GIT}/loop-b`]: { symlink: 'loop-a' },
        // The host must never be consulted: /tmp exists there, but not in the image.
        [`${GIT}/host`]: { symlink: '/tmp' },
      }),
    };
    base = { prefix: BASE, dir: await images.make({ [`${BASE}/lib/libz.so.1.2.13`]: 'zlib' }) };
    fs = new ImageFs([git, base]);
  });
  after(() => images.cleanup());

  it('finds files, mapping each prefix to its own directory', async () => {
    expect(await fs.resolve(`${GIT}/bin/git`)).to.deep.equal({
      kind: 'found',
      path: `${GIT}/bin/git`,
      local: `${git.dir}${GIT}/bin/git`,
      type: 'file',
    });
    expect(await fs.resolve(`${GIT}/bin`)).to.include({ kind: 'found', type: 'dir' });
  });

  it('follows absolute and relative symlinks across prefixes', async () => {
    expect(await fs.resolve(`${GIT}/lib/libz.so.1`)).to.include({
      kind: 'found',
      path: `${BASE}/lib/libz.so.1.2.13`,
      local: `${base.dir}${BASE}/lib/libz.so.1.2.13`,
    });
    expect(await fs.resolve(`${GIT}/lib/up/libz.so.1.2.13`)).to.include({
      kind: 'found',
      path: `${BASE}/lib/libz.so.1.2.13`,
    });
  });

  it('resolves .. physically, after symlinks', async () => {
    // libexec -> share/deep/dir, so libexec/.. is share/deep, not the prefix.
    expect(await fs.resolve(`${GIT}/libexec/../dir/tool`)).to.include({
      kind: 'found',
      path: `${GIT}/share/deep/dir/tool`,
    });
    expect(await fs.resolve(`${GIT}/bin/../../0.2.1/bin/git`)).to.include({ kind: 'found', path: `${GIT}/bin/git` });
  });

  it('reports paths that leave the prefixes as outside, naming where they went', async () => {
    expect(await fs.resolve('/lib64/ld-linux-x86-64.so.2')).to.deep.equal({
      kind: 'outside',
      path: '/lib64/ld-linux-x86-64.so.2',
    });
    expect(await fs.resolve(`${GIT}/escape/libc.so.6`)).to.deep.equal({ kind: 'outside', path: '/usr/lib/libc.so.6' });
    expect(await fs.resolve(`${GIT}/climb`)).to.deep.equal({ kind: 'outside', path: '/usr/lib' });
    expect(await fs.resolve(`${GIT}/host`)).to.deep.equal({ kind: 'outside', path: '/tmp' });
    expect(await fs.resolve('/.dapp/deps/other/1.0/lib')).to.deep.equal({
      kind: 'outside',
      path: '/.dapp/deps/other/1.0/lib',
    });
    // The prefixes' ancestors are only mount points.
    expect(await fs.resolve('/.dapp/deps')).to.deep.equal({ kind: 'outside', path: '/.dapp/deps' });
  });

  it('reports missing paths, paths through files, and loops', async () => {
    expect(await fs.resolve(`${GIT}/dangling`)).to.deep.equal({ kind: 'missing', path: `${GIT}/nowhere` });
    expect(await fs.resolve(`${GIT}/bin/git/x`)).to.deep.equal({ kind: 'missing', path: `${GIT}/bin/git/x` });
    expect(await fs.resolve(`${GIT}/loop-a`)).to.include({ kind: 'loop' });
  });

  it('refuses prefixes that are relative, not normalized or nested', () => {
    expect(() => new ImageFs([{ prefix: 'a/b', dir: '/x' }])).to.throw(
      DappdepsError,
      'must be an absolute, normalized path',
    );
    expect(() => new ImageFs([{ prefix: '/a/../b', dir: '/x' }])).to.throw(
      DappdepsError,
      'must be an absolute, normalized path',
    );
    expect(() => new ImageFs([{ prefix: '/a/', dir: '/x' }])).to.throw(
      DappdepsError,
      'must be an absolute, normalized path',
    );
    expect(
      () =>
        new ImageFs([
          { prefix: '/a', dir: '/x' },
          { prefix: '/a/b', dir: '/y' },
        ]),
    ).to.throw(DappdepsError, 'overlaps');
  });
});
