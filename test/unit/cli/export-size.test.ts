import { parseSize } from '../../../src/cli/commands/export.js';
import { expect } from '../../support/expect.js';

describe('cli: export --free sizes', () => {
  it('reads sizes like 64M', () => {
    expect(parseSize('64M')).to.equal(64 * 1024 * 1024);
    expect(parseSize('4096')).to.equal(4096);
    expect(() => parseSize('lots')).to.throw(/a size like/);
  });
});
