import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PrefixCache, type PrefixSource } from '../../../src/prefix-cache/prefix-cache.js';
import { DappdepsError } from '../../../src/errors.js';
import { dir, expect, file, saveOf, streamOf, tarOf, tempDir } from '../../support/archive-fixtures.js';

const PREFIX = '/.dapp/deps/tools/1.0';

/** An engine holding one tag whose image (id and content) the test can change; it counts the saves. */
function fakeEngine() {
  const state = { id: 'sha256:aaa', body: 'v1', saves: 0 };
  const source: PrefixSource = {
    images: {
      inspect: async (tag: string) => (tag === 'x/tools:1.0' ? { id: state.id } : undefined),
      save: async (): Promise<Readable> => {
        state.saves++;
        const layer = await tarOf([
          dir('.dapp'),
          dir('.dapp/deps'),
          dir('.dapp/deps/tools'),
          dir('.dapp/deps/tools/1.0'),
          file('.dapp/deps/tools/1.0/hello', state.body),
          file('etc/outside', 'x'),
        ]);
        return streamOf(await saveOf([layer], { format: 'legacy' }));
      },
    },
  };
  return { state, source };
}

describe('prefix cache', () => {
  let cacheDir: string;
  beforeEach(async () => {
    cacheDir = await tempDir();
  });
  afterEach(() => rm(cacheDir, { recursive: true, force: true }));

  it('extracts an image once for concurrent callers, with what it holds outside the prefix', async () => {
    const { state, source } = fakeEngine();
    const cache = new PrefixCache(source, cacheDir);
    const [a, b] = await Promise.all([cache.get('x/tools:1.0', PREFIX), cache.get('x/tools:1.0', PREFIX)]);
    expect(state.saves).to.equal(1);
    expect(a).to.deep.equal(b);
    expect(await readFile(path.join(a.root.dir, PREFIX, 'hello'), 'utf8')).to.equal('v1');
    expect(a.outside).to.deep.equal(['/etc/outside']);
  });

  it('reuses what an earlier run extracted, from disk', async () => {
    const { state, source } = fakeEngine();
    await new PrefixCache(source, cacheDir).get('x/tools:1.0', PREFIX);
    const again = await new PrefixCache(source, cacheDir).get('x/tools:1.0', PREFIX);
    expect(state.saves).to.equal(1);
    expect(again.outside).to.deep.equal(['/etc/outside']);
  });

  it("extracts again when the tag's image changes, and forgets the old entry", async () => {
    const { state, source } = fakeEngine();
    await new PrefixCache(source, cacheDir).get('x/tools:1.0', PREFIX);
    Object.assign(state, { id: 'sha256:bbb', body: 'v2' });
    const changed = await new PrefixCache(source, cacheDir).get('x/tools:1.0', PREFIX);
    expect(state.saves).to.equal(2);
    expect(await readFile(path.join(changed.root.dir, PREFIX, 'hello'), 'utf8')).to.equal('v2');
    expect(await readdir(cacheDir)).to.deep.equal(['bbb']);
  });

  it('extracts again over an entry of the earlier cache version', async () => {
    const { state, source } = fakeEngine();
    await mkdir(path.join(cacheDir, 'aaa', 'root'), { recursive: true });
    await writeFile(
      path.join(cacheDir, 'aaa', 'complete.json'),
      JSON.stringify({ tag: 'x/tools:1.0', outside: ['/x'] }),
    );
    const entry = await new PrefixCache(source, cacheDir).get('x/tools:1.0', PREFIX);
    expect(state.saves).to.equal(1);
    expect(entry.outside).to.deep.equal(['/etc/outside']);
    expect(await readFile(path.join(entry.root.dir, PREFIX, 'hello'), 'utf8')).to.equal('v1');
  });

  it('refuses an image that does not exist, and one without the prefix, leaving nothing behind', async () => {
    const { source } = fakeEngine();
    const cache = new PrefixCache(source, cacheDir);
    await expect(cache.get('x/missing:1.0', PREFIX)).to.be.rejectedWith(
      DappdepsError,
      'image x/missing:1.0 does not exist',
    );
    await expect(cache.get('x/tools:1.0', '/.dapp/deps/other/2.0')).to.be.rejectedWith(DappdepsError);
    expect(await readdir(cacheDir)).to.deep.equal([]);
  });
});
