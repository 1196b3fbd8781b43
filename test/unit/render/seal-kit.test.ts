import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { contentHash } from '../../../src/orchestrator/content-hash.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import { contextFiles, renderDistro } from '../../../src/render/render-distro.js';
import { expect } from '../../support/expect.js';
import { realDistroDir, repoRoot } from '../../support/paths.js';

describe('the seal kit', () => {
  it('is sent with every binary context and hashed with it, but not rendered into images/', async () => {
    const distro = await loadDistro(realDistroDir);
    const contexts = await renderDistro(distro, [distro.index.image('base')]);
    const binary = contexts.find((c) => c.strategy === 'binary');
    const source = contexts.find((c) => c.strategy === 'source');
    const kitFiles = (await readdir(path.join(repoRoot, 'templates/binary/seal'))).sort().map((f) => `seal/${f}`);

    expect([...(binary?.files.keys() ?? [])]).to.deep.equal(['Dockerfile', 'seal.conf', 'apt.lock']);
    expect([...(binary?.kit.keys() ?? [])]).to.deep.equal(kitFiles);
    expect([...(binary ? contextFiles(binary) : new Map()).keys()]).to.include.members(['Dockerfile', ...kitFiles]);
    expect(source?.kit.size).to.equal(0);

    const hash = (files: Map<string, string | Buffer>) =>
      contentHash({ strategy: 'binary', baseImage: 'b', manifest: {}, files, deps: {} });
    const withKit = binary ? contextFiles(binary) : new Map<string, string | Buffer>();
    const changedKit = new Map(withKit).set('seal/seal.sh', '#!/bin/bash\n# changed\n');
    expect(hash(changedKit)).to.not.equal(hash(withKit));
  });
});
