import path from 'node:path';
import { fixturesDir } from '../../support/paths.js';
import { expect } from 'chai';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { renderDistro } from '../../../src/render/render-distro.js';
import { staleFiles, writeContexts } from '../../../src/render/write-contexts.js';

/*
 * Golden files: the fixture distro (one image per source kind, rendered with the package's own templates)
 * must render byte for byte to test/fixtures/render-golden/expected/. After an intended template change,
 * regenerate them with `UPDATE_GOLDEN=1 npx mocha test/unit/render/golden.test.ts` and review the diff.
 */
const fixture = path.join(fixturesDir, 'render-golden');
const expectedDir = path.join(fixture, 'expected');

describe('rendering the source strategy (golden files)', () => {
  it('renders the fixture distro exactly as the expected files', async () => {
    const contexts = await renderDistro(await loadDistro(path.join(fixture, 'distro')));
    expect(contexts.map((c) => c.dir)).to.deep.equal(['cc/source', 'kit/source', 'tools/source']);
    if (process.env.UPDATE_GOLDEN === '1') await writeContexts(expectedDir, contexts, true);
    expect(await staleFiles(expectedDir, contexts)).to.deep.equal([]);
  });
});
