import { readImageTree } from '../../../src/publish/ext4/image-tree.js';
import { expect } from '../../support/expect.js';
import { saveStream } from './save-stream.js';

describe('publish: the flattened tree of an image, from its headers', () => {
  it('applies whiteouts and opaque folders in layer order, keeping setuid bits, owners and device nodes', async () => {
    const tree = await readImageTree(
      await saveStream([
        [
          { name: 'bin/', type: 'directory', mode: 0o755 },
          { name: 'bin/su', mode: 0o4755, body: 'su' },
          { name: 'bin/gone', mode: 0o755, body: 'x' },
          { name: 'dev/', type: 'directory', mode: 0o755 },
          { name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 },
          { name: 'opt/', type: 'directory', mode: 0o755 },
          { name: 'opt/old', mode: 0o644, body: 'old' },
        ],
        [
          { name: 'bin/.wh.gone', body: '' },
          { name: 'opt/', type: 'directory', mode: 0o700 },
          { name: 'opt/.wh..wh..opq', body: '' },
          { name: 'opt/new', mode: 0o2750, uid: 0, gid: 42, body: 'new' },
        ],
      ]),
    );
    const entries = Object.fromEntries(
      [...tree.entries()].map(([rel, m]) => [rel, [m.type, m.mode.toString(8), m.gid]]),
    );
    expect(entries).to.deep.equal({
      bin: ['directory', '755', 0],
      'bin/su': ['file', '4755', 0],
      dev: ['directory', '755', 0],
      'dev/null': ['character-device', '666', 0],
      opt: ['directory', '700', 0],
      'opt/new': ['file', '2750', 42],
    });
  });

  it('refuses a layer entry that climbs out of the root', async () => {
    await expect(readImageTree(await saveStream([[{ name: '../evil', body: 'x' }]]))).to.be.rejectedWith(
      /"\.\." segment/,
    );
  });
});
