import type { EngineVersion } from '../../../src/docker/types.js';
import { chooseBuilder } from '../../../src/orchestrator/choose-builder.js';
import { expect } from '../../support/expect.js';

const engine = (product: EngineVersion['product'], apiVersion: string): EngineVersion => ({
  product,
  version: product === 'podman' ? '4.3.1' : '20.10.24+dfsg1',
  apiVersion,
  os: 'linux',
  arch: 'amd64',
});

describe('builder choice', () => {
  it('auto: BuildKit on dockerd from Engine API 1.39 (Docker 18.09), comparing versions as numbers', () => {
    expect(['1.38', '1.9', 'x'].map((v) => chooseBuilder('auto', engine('docker', v)))).to.deep.equal([
      'classic',
      'classic',
      'classic',
    ]);
    expect(['1.39', '1.41', '1.48', '2.0'].map((v) => chooseBuilder('auto', engine('docker', v)))).to.deep.equal([
      'buildkit',
      'buildkit',
      'buildkit',
      'buildkit',
    ]);
  });

  it("auto: BuildKit's mounts on Podman, whose Buildah has them though its compatible API says 1.41", () => {
    expect(chooseBuilder('auto', engine('podman', '1.41'))).to.equal('buildkit');
  });

  it('keeps an explicit choice on every engine', () => {
    expect(chooseBuilder('classic', engine('docker', '1.48'))).to.equal('classic');
    expect(chooseBuilder('classic', engine('podman', '1.41'))).to.equal('classic');
    expect(chooseBuilder('buildkit', engine('docker', '1.38'))).to.equal('buildkit');
  });
});
