import { debianBaseOf, debianSuiteOf } from '../../../src/bootstrap/bootstrap-base.js';
import { architectures } from '../../../src/manifest/architectures.js';
import { expect } from '../../support/expect.js';

describe('base-image bootstrap', () => {
  it('bootstraps only debian:<suite> references', () => {
    expect(debianSuiteOf('debian:bookworm')).to.equal('bookworm');
    expect(debianSuiteOf('docker.io/library/debian:trixie')).to.equal('trixie');
    for (const ref of ['debian:12', 'debian:bookworm-slim', 'ubuntu:jammy', 'debian', 'evil/debian:bookworm'])
      expect(debianSuiteOf(ref)).to.equal(undefined);
  });

  it("bootstraps another architecture's debian:<suite> under Docker Hub's namespace for it", () => {
    expect(debianBaseOf('arm64v8/debian:bookworm')).to.deep.equal({ suite: 'bookworm', arch: architectures.arm64 });
    expect(debianBaseOf('docker.io/amd64/debian:trixie')).to.deep.equal({ suite: 'trixie', arch: architectures.amd64 });
    expect(debianBaseOf('debian:bookworm')).to.deep.equal({ suite: 'bookworm', arch: undefined });
    expect(debianBaseOf('riscv64/debian:bookworm')).to.equal(undefined);
  });
});
