import { closest, knownKeys } from '../../../src/manifest/known-keys.js';
import { imageManifest } from '../../../src/manifest/schema.js';
import { expect } from '../../support/expect.js';

describe('known manifest keys (for "did you mean")', () => {
  it('lists the fields an object at a path may have, through optional fields, lists and unions', () => {
    expect(knownKeys(imageManifest, [])).to.include.members(['name', 'version', 'binary', 'dependencies']);
    expect(knownKeys(imageManifest, ['binary'])).to.include('packages');
    expect(knownKeys(imageManifest, ['dependencies'])).to.include.members(['build', 'run']);
    expect(knownKeys(imageManifest, ['nope'])).to.deep.equal([]);
  });

  it('suggests the closest key only when it is close enough to be a typo', () => {
    expect(closest('verison', ['version', 'name'])).to.equal('version');
    expect(closest('pakages', ['packages', 'paths'])).to.equal('packages');
    expect(closest('colour', ['name', 'version', 'binary'])).to.equal(undefined);
  });
});
