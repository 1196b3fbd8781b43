import { UsageError } from '../../../src/errors.js';
import type { Distro } from '../../../src/manifest/model.js';
import { chooseRegistry, remoteDistro } from '../../../src/publish/registry.js';
import { expect } from '../../support/expect.js';

const distro = (registry?: string) =>
  ({ settings: { repository: 'dappdeps', registry }, images: [], index: { tagSuffix: '' } }) as unknown as Distro;

describe('publish: which registry, and names there', () => {
  it('--registry wins over DAPPDEPS_REGISTRY, which wins over distro.yaml', () => {
    expect(chooseRegistry(distro('yaml:1'), 'opt:2', { DAPPDEPS_REGISTRY: 'env:3' })).to.equal('opt:2');
    expect(chooseRegistry(distro('yaml:1'), undefined, { DAPPDEPS_REGISTRY: 'env:3' })).to.equal('env:3');
    expect(chooseRegistry(distro('yaml:1'), undefined, {})).to.equal('yaml:1');
  });

  it('no registry anywhere, or a malformed one, is a usage error naming where it came from', () => {
    expect(() => chooseRegistry(distro(), undefined, {})).to.throw(UsageError, /give --registry/);
    expect(() => chooseRegistry(distro(), undefined, { DAPPDEPS_REGISTRY: 'a b' })).to.throw(
      UsageError,
      /DAPPDEPS_REGISTRY/,
    );
    expect(() => chooseRegistry(distro(), 'x/y;rm', {})).to.throw(UsageError, /--registry/);
  });

  it('names images <registry>/<repository>/…', () => {
    expect(remoteDistro(distro(), 'mirror:5000').settings.repository).to.equal('mirror:5000/dappdeps');
  });

  it("keeps an architecture's tag suffix: an arm64 image is …:<version>-arm64 in the registry too", () => {
    const arm = { ...distro(), index: { tagSuffix: '-arm64' } } as unknown as Distro;
    expect(remoteDistro(arm, 'mirror:5000').index.tagSuffix).to.equal('-arm64');
  });
});
