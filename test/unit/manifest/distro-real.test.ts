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
  it('validates, with prefixes versioned by the upstream version of their main program', async () => {
    const distro = await loadDistro(realDistroDir);
    expect(Object.fromEntries(distro.images.map((i) => [i.name, i.prefix]))).to.deep.equal({
      ansible: '/.dapp/deps/ansible/2.14.18-1',
      base: '/.dapp/deps/base/5.2.15-1',
      chefdk: '/.dapp/deps/chefdk/2.3.17-2',
      git: '/.dapp/deps/git/2.39.5-1',
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

  it('builds base, git and ansible in the trixie suite too, each with its own prefix, and keeps the old tags as aliases', async () => {
    const trixie = await loadDistro(realDistroDir, 'trixie');
    expect(trixie.suite).to.deep.include({ name: 'trixie', isDefault: false });
    expect(trixie.settings.binary.baseImage).to.equal('debian:trixie');
    expect(Object.fromEntries(trixie.images.map((i) => [i.name, i.prefix]))).to.deep.equal({
      ansible: '/.dapp/deps/ansible/2.19.11-1',
      base: '/.dapp/deps/base/5.2.37-1',
      git: '/.dapp/deps/git/2.47.3-1',
    });
    const ansible = trixie.index.image('ansible');
    // one manifest: the suite's variables complete it; no toolchain there, so the build stage's gcc compiles
    expect(ansible.manifest.binary?.packages).to.include('python3.13-minimal');
    expect(ansible.manifest.binary?.drop).to.include('lib/python3.13/test');
    expect(ansible.manifest.smoke[0]?.expect).to.equal('core 2.19');
    expect(ansible.stageCompiler).to.equal('/usr/bin/gcc');
    expect(ansible.manifest.dependencies.build).to.deep.equal([]);
    expect(ansible.manifest.source).to.equal(undefined);
    const bookworm = await loadDistro(realDistroDir);
    expect(bookworm.index.aliasTags(bookworm.index.image('ansible'))).to.deep.equal(['dappdeps/ansible:2.4.4.0-10']);
    expect(trixie.index.aliasTags(ansible)).to.deep.equal([]);
  });

  it('tags binary builds plainly and source builds with -source', async () => {
    const distro = await loadDistro(realDistroDir);
    const base = distro.images.find((i) => i.name === 'base');
    expect(base && imageTag(distro, base, 'binary')).to.equal('dappdeps/base:5.2.15-1');
    expect(base && imageTag(distro, base, 'source')).to.equal('dappdeps/base:5.2.15-1-source');
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
    const suites = [await loadDistro(realDistroDir), await loadDistro(realDistroDir, 'trixie')];
    const contexts = (await Promise.all(suites.map((d) => renderDistro(d)))).flat();
    const stale = await staleFiles(path.join(repoRoot, 'images'), contexts);
    expect(stale, `stale files in images/:\n${stale.join('\n')}`).to.deep.equal([]);
  });
});
