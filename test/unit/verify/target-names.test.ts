import { UsageError } from '../../../src/errors.js';
import {
  parseTargetSelection,
  QUICK_TARGETS,
  smokeTargetOfImage,
  TARGET_NAMES,
} from '../../../src/verify/target-names.js';
import { expect } from '../../support/expect.js';

describe('verify --targets', () => {
  it('quick is the default set of three; all is every target, in the matrix order', () => {
    expect(parseTargetSelection('quick')).to.deep.equal(['busybox', 'empty', 'base']);
    expect(parseTargetSelection('quick')).to.deep.equal([...QUICK_TARGETS]);
    expect(parseTargetSelection('all')).to.deep.equal([...TARGET_NAMES]);
    expect(TARGET_NAMES).to.include.members(['bullseye', 'trixie', 'sid', 'musl', 'read-only', 'non-root']);
  });

  it('takes names in the order given, each once, debian:<suite> as the suite and bookworm as the base', () => {
    expect(parseTargetSelection('musl,debian:trixie, read-only,musl')).to.deep.equal(['musl', 'trixie', 'read-only']);
    expect(parseTargetSelection('debian:bookworm,quick')).to.deep.equal(['base', 'busybox', 'empty']);
  });

  it('refuses an unknown name with exit 2, listing the known ones', () => {
    expect(() => parseTargetSelection('musl,alpine')).to.throw(
      UsageError,
      /unknown target "alpine": choose from quick, all, busybox/,
    );
    expect(() => parseTargetSelection(' , ')).to.throw(UsageError, /names no target/);
  });

  it("names the target an image ref is, for provision's hint", () => {
    expect(smokeTargetOfImage('dappdeps/target-busybox:1')).to.equal('busybox');
    expect(smokeTargetOfImage('myrepo/target-nonroot:1-arm64')).to.equal('non-root');
    expect(smokeTargetOfImage('target-musl:1')).to.equal('musl');
    for (const ref of ['debian:bookworm', 'dappdeps/target-busybox:2', 'dappdeps/target-alpine:1'])
      expect(smokeTargetOfImage(ref), ref).to.equal(undefined);
  });
});
