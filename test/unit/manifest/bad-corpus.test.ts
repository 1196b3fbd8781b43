import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../../src/cli/main.js';
import { ManifestError } from '../../../src/errors.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { assembleCase, badManifestCases, badManifestsDir } from '../../support/bad-manifest-case.js';
import { captureOutput } from '../../support/capture-output.js';
import { expect } from '../../support/expect.js';

const located = (e: ManifestError) =>
  e.problems.map((p) => `${path.basename(p.file)}:${p.line}:${p.column}: ${p.field ? `${p.field}: ` : ''}${p.message}`);

const cases = await badManifestCases();

describe('bad manifest corpus', () => {
  it('has a case per kind of mistake', () => {
    expect(cases.length).to.be.at.least(25);
  });

  for (const name of cases) {
    describe(name, () => {
      it('is rejected with exactly the expected located problems', async () => {
        const expected = (await readFile(path.join(badManifestsDir, name, 'expected.txt'), 'utf8'))
          .trimEnd()
          .split('\n');
        const { dir, cleanup } = await assembleCase(name);
        try {
          const error = await loadDistro(dir).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, 'loading must fail').to.be.instanceOf(ManifestError);
          expect(located(error as ManifestError)).to.deep.equal(expected);
        } finally {
          await cleanup();
        }
      });

      it('makes `render` exit 2 with file:line before writing anything', async () => {
        const { dir, cleanup } = await assembleCase(name);
        try {
          const output = captureOutput();
          const out = path.join(dir, 'rendered');
          expect(await main(['render', '--distro', dir, '--out', out], output)).to.equal(2);
          expect(output.stderr.join('\n')).to.match(/\.yaml:\d+:\d+: /);
          expect(await readdir(dir)).not.to.include('rendered');
        } finally {
          await cleanup();
        }
      });
    });
  }
});
