import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonSchemas } from '../../../src/manifest/json-schema.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { imageTag } from '../../../src/manifest/model.js';
import { renderDistro } from '../../../src/render/render-distro.js';
import { staleFiles } from '../../../src/render/write-contexts.js';
import { expect } from '../../support/expect.js';
import { realDistroDir, repoRoot } from '../../support/paths.js';

describe('the shipped distro', () => {
  it('validates, with the 2017 prefixes', async () => {
    const distro = await loadDistro(realDistroDir);
    expect(Object.fromEntries(distro.images.map((i) => [i.name, i.prefix]))).to.deep.equal({
      ansible: '/.dapp/deps/ansible/2.4.4.0-10',
      base: '/.dapp/deps/base/0.2.3',
      chefdk: '/.dapp/deps/chefdk/2.3.17-2',
      git: '/.dapp/deps/git/0.2.1',
      toolchain: '/.dapp/deps/toolchain/0.1.1',
    });
  });

  it('warns once per manifest about its md5-only pins, naming each', async () => {
    const distro = await loadDistro(realDistroDir);
    const byFile = Object.fromEntries(distro.warnings.map((w) => [path.basename(w.file), w.message]));
    expect(Object.keys(byFile).sort()).to.deep.equal(['ansible.yaml', 'base.yaml', 'chefdk.yaml', 'toolchain.yaml']);
    expect(byFile['toolchain.yaml']).to.equal(
      'pinned by md5 only, prefer sha256: binutils, gcc, mpfr, gmp, mpc, linux, glibc',
    );
    expect(byFile['base.yaml']).to.match(/^pinned by md5 only, prefer sha256: termcap, attr, acl, .*sudo$/);
  });

  it('tags binary builds plainly and source builds with -source', async () => {
    const distro = await loadDistro(realDistroDir);
    const base = distro.images.find((i) => i.name === 'base');
    expect(base && imageTag(distro, base, 'binary')).to.equal('dappdeps/base:0.2.3');
    expect(base && imageTag(distro, base, 'source')).to.equal('dappdeps/base:0.2.3-source');
  });

  it('has every manifest point editors at the published JSON Schema', async () => {
    const distro = await loadDistro(realDistroDir);
    for (const image of distro.images) {
      expect(await readFile(image.yaml.file, 'utf8')).to.match(
        /^(#.*\n)*# yaml-language-server: \$schema=\.\.\/schema\/manifest\.schema\.json\n/,
      );
    }
  });

  it('ships JSON Schema files that match the schema in the code (run `dappdeps schema` after changing it)', async () => {
    for (const [file, text] of Object.entries(jsonSchemas())) {
      expect(await readFile(path.join(repoRoot, 'schema', file), 'utf8'), file).to.equal(text);
    }
  });

  it('has images/ up to date with distro/ and templates/ (run `npx dappdeps render` after changing them)', async () => {
    const distro = await loadDistro(realDistroDir);
    const stale = await staleFiles(path.join(repoRoot, 'images'), await renderDistro(distro));
    expect(stale, `stale files in images/:\n${stale.join('\n')}`).to.deep.equal([]);
  });
});
