import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { packageRoot } from '../../../src/package-root.js';
import { rubyString } from '../../../src/render/handlebars-env.js';
import { renderDistro } from '../../../src/render/render-distro.js';

/* Ruby must be installed (the test set-up installs it): a missing `ruby` fails these tests, never skips them. */
const ruby = (args: string[]) => execFileSync('ruby', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('rendered Ruby', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dappdeps-ruby-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every .rb file and Gemfile of the real distro passes `ruby -c`', async function () {
    this.timeout(120_000); // one ruby process per file
    const contexts = await renderDistro(await loadDistro(path.join(packageRoot, 'distro')));
    const rubyFiles = contexts.flatMap((c) =>
      [...c.files]
        .filter(([rel]) => rel.endsWith('.rb') || path.basename(rel) === 'Gemfile')
        .map(([rel, text]) => ({ name: `${c.dir}/${rel}`, text })),
    );
    expect(rubyFiles.length).to.be.greaterThan(20);
    for (const [i, { name, text }] of rubyFiles.entries()) {
      const file = path.join(dir, `${i}.rb`);
      writeFileSync(file, text);
      expect(() => ruby(['-c', file]), name).not.to.throw();
    }
  });

  it('a value with quotes, backslashes and interpolation syntax reads back unchanged', () => {
    const values = [`it's`, 'back\\slash', `\\'`, `end\\`, '#{`rm -rf /`}', `"double" 'single' \\\\ \\n`];
    const printed = ruby(['-e', `print([${values.map(rubyString).join(', ')}].join("\\0"))`]);
    expect(printed.split('\0')).to.deep.equal(values);
  });
});
