import { debianSuiteOf } from '../../../src/bootstrap/bootstrap-base.js';
import { expect } from '../../support/expect.js';

describe('base-image bootstrap', () => {
  it('bootstraps only debian:<suite> references', () => {
    expect(debianSuiteOf('debian:bookworm')).to.equal('bookworm');
    expect(debianSuiteOf('docker.io/library/debian:trixie')).to.equal('trixie');
    for (const ref of ['debian:12', 'debian:bookworm-slim', 'ubuntu:jammy', 'debian', 'evil/debian:bookworm'])
      expect(debianSuiteOf(ref)).to.equal(undefined);
  });
});
