import { expect } from 'chai';
import { expandTokens } from '../../../src/audit/dst.js';

const X86_64 = { elfClass: 64, machine: 62 } as const;
const ORIGIN = '/.dapp/deps/git/0.2.1/bin';

describe('audit: dynamic string tokens', () => {
  it('leaves strings without tokens alone', () => {
    expect(expandTokens('/.dapp/deps/git/0.2.1/lib', ORIGIN, X86_64)).to.deep.equal(['/.dapp/deps/git/0.2.1/lib']);
  });

  it('expands $ORIGIN and ${ORIGIN} to the object directory', () => {
    expect(expandTokens('$ORIGIN/../lib', ORIGIN, X86_64)).to.deep.equal([`${ORIGIN}/../lib`]);
    expect(expandTokens('${ORIGIN}/../lib', ORIGIN, X86_64)).to.deep.equal([`${ORIGIN}/../lib`]);
    expect(expandTokens('$ORIGIN', ORIGIN, X86_64)).to.deep.equal([ORIGIN]);
    expect(expandTokens('${ORIGIN}lib', ORIGIN, X86_64)).to.deep.equal([`${ORIGIN}lib`]);
  });

  it('leaves a bare token that runs into other characters, as ld.so does', () => {
    expect(expandTokens('$ORIGINAL/lib', ORIGIN, X86_64)).to.deep.equal(['$ORIGINAL/lib']);
    expect(expandTokens('$HOME/lib', ORIGIN, X86_64)).to.deep.equal(['$HOME/lib']);
  });

  it('expands $LIB to upstream and Debian multiarch directories', () => {
    expect(expandTokens('/p/$LIB', ORIGIN, X86_64)).to.deep.equal(['/p/lib64', '/p/lib/x86_64-linux-gnu']);
    expect(expandTokens('/p/${LIB}/x', ORIGIN, { elfClass: 32, machine: 3 })).to.deep.equal([
      '/p/lib/x',
      '/p/lib/i386-linux-gnu/x',
    ]);
    expect(expandTokens('/p/$LIB', ORIGIN, { elfClass: 32, machine: 8 })).to.deep.equal(['/p/lib']);
  });

  it('expands $PLATFORM for known machines and yields nothing for others', () => {
    expect(expandTokens('/p/$PLATFORM/lib', ORIGIN, X86_64)).to.deep.equal(['/p/x86_64/lib']);
    expect(expandTokens('/p/$PLATFORM/lib', ORIGIN, { elfClass: 32, machine: 8 })).to.deep.equal([]);
  });

  it('expands several tokens into every combination', () => {
    expect(expandTokens('$ORIGIN/../$LIB/$PLATFORM', '/o', X86_64)).to.deep.equal([
      '/o/../lib64/x86_64',
      '/o/../lib/x86_64-linux-gnu/x86_64',
    ]);
  });
});
