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

/** The fixture has no lock (its templates seal nothing): a build never asks the mirror. */
const noMirror: BuildEngine['containers'] = {
  run: () => Promise.reject(new Error('the fixture has no lock: nothing to check against the mirror')),
};

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
    containers: noMirror,
  };
  const build = (options: Partial<BuildDistroOptions>) =>
    buildDistro(distro, engine, {
      strategy: 'binary',
      names: ['solo'], // no build-time dependency: nothing to extract from a fake engine
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
    const summary = await build({ force: 'named', noCache: true });
    expect(summary.results.map((r) => r.state)).to.deep.equal(['built']);
    expect(requests.map((r) => [r.tag, r.nocache])).to.deep.equal([['dappdeps-it/solo:1.0', true]]);
  });

  it('uses the layer cache by default', async () => {
    await build({});
    expect(requests.map((r) => r.nocache)).to.deep.equal([false]);
  });
});

describe('buildDistro builders (fake engine)', () => {
  let distro: Distro;
  let workDir: string;
  const requests: { request: BuildRequest; entries: Map<string, string> }[] = [];
  const engine: BuildEngine = {
    images: {
      // tools is built, with this id, by the time app is: its content hash label matches nothing, so both build.
      inspect: async (tag) => (tag.endsWith('/tools:1.0') ? { id: 'sha256:tools', labels: {}, size: 0 } : undefined),
      save: async () => {
        throw new Error('nothing may be extracted');
      },
      build: async (request) => {
        requests.push({ request, entries: await contextEntries(request.context) });
        return { id: `sha256:${request.image}` };
      },
      remove: async () => undefined,
    },
    containers: noMirror,
  };

  before(async () => {
    distro = await loadDistro(path.join(fixturesDir, 'orchestrator/distro'));
    workDir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-unit-builders-'));
  });
  after(() => rm(workDir, { recursive: true, force: true }));

  it('with BuildKit, mounts the build-time dependency from its image in each RUN instead of extracting it', async () => {
    const summary = await buildDistro(distro, engine, {
      strategy: 'binary',
      builder: 'buildkit',
      names: ['app'],
      force: 'all',
      concurrency: 1,
      workDir,
      idleTimeoutMs: 1000,
      ensureBaseImage: async () => undefined,
    });
    expect(summary.results.map((r) => [r.name, r.state])).to.deep.equal([
      ['tools', 'built'],
      ['app', 'built'],
    ]);
    const app = requests.find((r) => r.request.image === 'app');
    expect(app?.request.builder).to.equal('buildkit');
    expect([...(app?.entries.keys() ?? [])].filter((name) => name.startsWith('deps/'))).to.deep.equal([]);
    const dockerfile = app?.entries.get('Dockerfile') ?? '';
    expect(dockerfile).to.contain(
      'RUN --mount=type=bind,from=dappdeps-it/tools:1.0,source=/.dapp/deps/tools/1.0,target=/.dapp/deps/tools/1.0 test -x',
    );
    expect(dockerfile).not.to.contain('COPY deps/');
  });
});

/** The files of a build context tar, by name. */
async function contextEntries(context: Readable): Promise<Map<string, string>> {
  const { default: tarStream } = await import('tar-stream');
  const extract = tarStream.extract();
  context.pipe(extract);
  const entries = new Map<string, string>();
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    entries.set(entry.header.name, Buffer.concat(chunks).toString('utf8'));
  }
  return entries;
}

describe('buildDistro with BuildKit and templates written for the classic builder (fake engine)', () => {
  it('builds classic the image whose template ignores depMounts: its dependency goes into the context', async () => {
    const distro = await loadDistro(path.join(fixturesDir, 'faults/distro'));
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-unit-classic-templates-'));
    const requests: BuildRequest[] = [];
    const engine: BuildEngine = {
      images: {
        inspect: async (tag) => (tag.endsWith('/tools:1.0') ? { id: 'sha256:tools', labels: {}, size: 0 } : undefined),
        save: async () => {
          throw new Error('no extraction in this test');
        },
        build: async (request) => {
          requests.push(request);
          return { id: 'sha256:new' };
        },
        remove: async () => undefined,
      },
      containers: {
        run: async () => {
          throw new Error('no lock check: the fixture is not sealed');
        },
      },
    };
    try {
      const summary = await buildDistro(distro, engine, {
        strategy: 'binary',
        builder: 'buildkit',
        force: 'all',
        concurrency: 1,
        workDir,
        idleTimeoutMs: 1000,
        ensureBaseImage: async () => undefined,
      });
      // tools (no dependency) is built with BuildKit; app would need tools extracted: classic, so it asks for
      // tools' save (which this fake engine refuses), and fails on that, not on a missing deps/ folder.
      expect(requests.map((r) => [r.image, r.builder])).to.deep.equal([['tools', 'buildkit']]);
      const app = summary.results.find((r) => r.name === 'app');
      expect(app?.state).to.equal('failed');
      expect(String(app?.error)).to.contain('no extraction in this test');
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});

describe('buildDistro force policy (fake engine)', () => {
  let distro: Distro;
  let workDir: string;
  // An engine that keeps what it built: an image's labels (its content hash) are found by the next run.
  const images = new Map<string, Record<string, string>>();
  const built: BuildRequest[] = [];
  const engine: BuildEngine = {
    images: {
      inspect: async (tag) => {
        const labels = images.get(tag);
        return labels ? { id: `sha256:${tag}`, labels, size: 0 } : undefined;
      },
      save: async () => {
        throw new Error('nothing may be extracted: BuildKit mounts tools');
      },
      build: async (request) => {
        built.push(request);
        images.set(request.tag, request.labels);
        return { id: `sha256:${request.tag}` };
      },
      remove: async () => undefined,
    },
    containers: noMirror,
  };
  const build = async (options: Partial<BuildDistroOptions>) => {
    built.splice(0);
    const summary = await buildDistro(distro, engine, {
      strategy: 'binary',
      builder: 'buildkit',
      names: ['app'],
      concurrency: 1,
      workDir,
      idleTimeoutMs: 1000,
      ensureBaseImage: async () => undefined,
      ...options,
    });
    return Object.fromEntries(summary.results.map((r) => [r.name, r.state]));
  };

  before(async () => {
    distro = await loadDistro(path.join(fixturesDir, 'orchestrator/distro'));
    workDir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-unit-force-'));
    expect(await build({})).to.deep.equal({ tools: 'built', app: 'built' });
  });
  after(() => rm(workDir, { recursive: true, force: true }));

  it('builds nothing unchanged by default', async () => {
    expect(await build({})).to.deep.equal({ tools: 'cached', app: 'cached' });
  });

  it('`named` rebuilds the named image and uses its unchanged dependency as it is', async () => {
    expect(await build({ force: 'named' })).to.deep.equal({ tools: 'cached', app: 'built' });
  });

  it('`all` rebuilds the dependencies too', async () => {
    expect(await build({ force: 'all' })).to.deep.equal({ tools: 'built', app: 'built' });
  });

  it('`named` with no name forces every selected image', async () => {
    const states = await build({ force: 'named', names: [] });
    expect(Object.entries(states).filter(([, s]) => s === 'cached')).to.deep.equal([]);
  });

  it('noCache forces the named image only, and builds it without the layer cache', async () => {
    expect(await build({ noCache: true })).to.deep.equal({ tools: 'cached', app: 'built' });
    expect(built.map((r) => [r.image, r.nocache])).to.deep.equal([['app', true]]);
  });

  it('noCache with `all` builds both without the layer cache', async () => {
    expect(await build({ noCache: true, force: 'all' })).to.deep.equal({ tools: 'built', app: 'built' });
    expect(built.map((r) => r.nocache)).to.deep.equal([true, true]);
  });
});
