import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buildDistro, type BuildDistroOptions } from '../../../src/orchestrator/build-distro.js';
import type { BuildEngine } from '../../../src/orchestrator/build-engine.js';
import type { BuildRequest } from '../../../src/docker/types.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import type { Distro } from '../../../src/manifest/model.js';
import { expect } from '../../support/expect.js';
import { fixturesDir } from '../../support/paths.js';

describe('buildDistro nocache (fake engine)', () => {
  let distro: Distro;
  let workDir: string;
  const requests: BuildRequest[] = [];
  // No image exists yet, so every selected image is built; the requests are what the engine would receive.
  const engine: BuildEngine = {
    images: {
      inspect: async () => undefined,
      save: async () => Readable.from([]),
      build: async (request) => {
        requests.push(request);
        return { id: 'sha256:new' };
      },
      remove: async () => undefined,
    },
    containers: {
      run: () => Promise.reject(new Error('the fixture has no lock: nothing to check against the mirror')),
    },
  };
  const build = (options: Partial<BuildDistroOptions>) =>
    buildDistro(distro, engine, {
      strategy: 'binary',
      names: ['solo'], // no build-time dependency: nothing to extract from a fake engine
      force: false,
      concurrency: 1,
      workDir,
      idleTimeoutMs: 1000,
      ensureBaseImage: async () => undefined,
      ...options,
    });

  before(async () => {
    distro = await loadDistro(path.join(fixturesDir, 'orchestrator/distro'));
    workDir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-unit-nocache-'));
  });
  after(() => rm(workDir, { recursive: true, force: true }));
  beforeEach(() => requests.splice(0));

  it('asks the engine to build without its layer cache', async () => {
    const summary = await build({ force: true, nocache: true });
    expect(summary.results.map((r) => r.state)).to.deep.equal(['built']);
    expect(requests.map((r) => [r.tag, r.nocache])).to.deep.equal([['dappdeps-it/solo:1.0', true]]);
  });

  it('uses the layer cache by default', async () => {
    await build({});
    expect(requests.map((r) => r.nocache)).to.deep.equal([false]);
  });
});
