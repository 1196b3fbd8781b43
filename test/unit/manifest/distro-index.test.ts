import { UsageError } from '../../../src/errors.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import type { Distro } from '../../../src/manifest/model.js';
import { expect } from '../../support/expect.js';
import { realDistroDir } from '../../support/paths.js';

describe('distro index', () => {
  let distro: Distro;
  const names = (images: readonly { name: string }[]) => images.map((i) => i.name);
  before(async () => {
    distro = await loadDistro(realDistroDir);
  });

  it('finds images by name and names the known ones for an unknown name', () => {
    expect(distro.index.image('git').name).to.equal('git');
    expect(() => distro.index.image('nope')).to.throw(UsageError, 'known: ansible, base, chefdk, git, toolchain');
  });

  it('tags each image once per strategy', () => {
    const base = distro.index.image('base');
    expect(distro.index.tag(base, 'binary')).to.equal('dappdeps/base:5.2.15-1');
    expect(distro.index.tag(base, 'source')).to.equal('dappdeps/base:5.2.15-1-source');
  });

  it('gives the run-time closure without the image itself, and with it for a selection', () => {
    const ansible = distro.index.image('ansible');
    expect(names(distro.index.runDeps(ansible))).to.deep.equal(['base', 'git']);
    expect(names(distro.index.withRunDeps([ansible]))).to.deep.equal(['ansible', 'base', 'git']);
    expect(names(distro.index.withRunDeps([distro.index.image('git')]))).to.deep.equal(['git']);
  });

  it('puts build-time dependencies before the images that need them', () => {
    expect(names(distro.index.buildDeps(distro.index.image('git')))).to.deep.equal(['toolchain']);
    expect(names(distro.index.withBuildDeps(['git', 'base']))).to.deep.equal(['toolchain', 'base', 'git']);
  });
});
