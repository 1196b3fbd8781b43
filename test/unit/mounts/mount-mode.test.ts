import type { EngineVersion } from '../../../src/docker/types.js';
import { chooseMountMode, hasImageMounts } from '../../../src/mounts/mount-mode.js';
import { expect } from '../../support/expect.js';

const engine = (apiVersion: string, version = '28.0.0'): EngineVersion => ({
  product: 'docker',
  version,
  apiVersion,
  os: 'linux',
  arch: 'amd64',
});
const docker20 = engine('1.41', '20.10.24+dfsg1');

describe('mount mode', () => {
  it('knows image mounts from Engine API 1.48 on, comparing versions as numbers', () => {
    expect(['1.41', '1.47', '1.9', '0.99'].map(hasImageMounts)).to.deep.equal([false, false, false, false]);
    expect(['1.48', '1.49', '1.100', '2.0'].map(hasImageMounts)).to.deep.equal([true, true, true, true]);
  });

  it('reads an API version it cannot parse as one without image mounts', () => {
    expect(['', '1', 'v1.48', '1.48.1', 'latest'].map(hasImageMounts)).to.deep.equal([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('auto: image mounts where the engine has them, else volume containers, silently', () => {
    expect(chooseMountMode('auto', engine('1.48'))).to.deep.equal({ mode: 'image' });
    expect(chooseMountMode('auto', docker20)).to.deep.equal({ mode: 'volumes-from' });
  });

  it('image on an engine without them: volume containers, with a notice naming the engine and the API needed', () => {
    expect(chooseMountMode('image', engine('1.51'))).to.deep.equal({ mode: 'image' });
    const { mode, notice } = chooseMountMode('image', docker20);
    expect(mode).to.equal('volumes-from');
    expect(notice).to.equal(
      'image mounts need Engine API >= 1.48 (Docker 28); this engine (20.10.24+dfsg1, API 1.41) has none, ' +
        'so the prefixes are mounted from volume containers (--volumes-from)',
    );
  });

  it('image on Podman: volume containers, with a notice saying why (no subpath), whatever API it reports', () => {
    for (const apiVersion of ['1.41', '1.48']) {
      const { mode, notice } = chooseMountMode('image', { ...engine(apiVersion, '4.3.1'), product: 'podman' });
      expect(mode).to.equal('volumes-from');
      expect(notice).to.equal(
        'Podman 4.3.1 mounts images only whole (its image mounts have no subpath), and a prefix must sit at its ' +
          'own path, so the prefixes are mounted from volume containers (--volumes-from)',
      );
    }
  });

  it('volumes-from: volume containers on every engine', () => {
    expect(chooseMountMode('volumes-from', engine('1.51'))).to.deep.equal({ mode: 'volumes-from' });
    expect(chooseMountMode('volumes-from', docker20)).to.deep.equal({ mode: 'volumes-from' });
  });
});
