import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { RegistryCache, type RegistryCacheEngine } from '../../../src/build-cache/registry-cache.js';
import { chooseCache } from '../../../src/build-cache/cache-setting.js';
import { DappdepsError, UsageError } from '../../../src/errors.js';
import { labels } from '../../../src/labels.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import type { Distro } from '../../../src/manifest/model.js';
import { buildDistro } from '../../../src/orchestrator/build-distro.js';
import type { BuildEngine } from '../../../src/orchestrator/build-engine.js';
import type { ImageCache } from '../../../src/orchestrator/image-cache.js';
import type { ImageDetails } from '../../../src/docker/types.js';
import { expect } from '../../support/expect.js';
import { fixturesDir } from '../../support/paths.js';

/** The engine's failure for a pull, as the docker clients report it: a DappdepsError with dockerode's as cause. */
const pullFailure = (statusCode: number, message: string) =>
  new DappdepsError(`docker: pull failed: ${message}`, { cause: Object.assign(new Error(message), { statusCode }) });

/** A registry (hash → label of the image stored there) behind a fake engine; records what the engine is asked. */
function fakeEngine(stored: Record<string, string>, fail?: { pull?: DappdepsError; push?: Error }) {
  const calls: string[] = [];
  const local = new Map<string, Pick<ImageDetails, 'id' | 'labels'>>();
  const engine: RegistryCacheEngine = {
    images: {
      pull: async (ref) => {
        calls.push(`pull ${ref}`);
        if (fail?.pull) throw fail.pull;
        const hash = ref.split(':').pop() ?? '';
        const label = stored[hash];
        if (label === undefined) throw pullFailure(404, `manifest for ${ref} not found: manifest unknown`);
        local.set(ref, { id: `sha256:${label}`, labels: { [labels.contentHash]: label } });
      },
      inspect: async (ref) => local.get(ref),
      remove: async (ref) => {
        calls.push(`remove ${ref}`);
        local.delete(ref);
      },
      tag: async (from, to) => {
        calls.push(`tag ${from} ${to}`);
      },
      push: async (ref) => {
        calls.push(`push ${ref}`);
        if (fail?.push) throw fail.push;
        return 'sha256:digest';
      },
    },
  };
  return { engine, calls };
}

const job = (hash: string) => ({ name: 'base', tag: 'dappdeps/base:0.2.3', hash });
const cacheRepo = '127.0.0.1:5000/dappdeps-cache';

describe('the registry build cache', () => {
  it('restores a hit: pulls <repo>/<name>:<hash>, tags it locally and drops the cache name', async () => {
    const { engine, calls } = fakeEngine({ aaa: 'aaa' });
    const warnings: string[] = [];
    const cache = new RegistryCache(engine, { repository: cacheRepo, push: true, onWarning: (m) => warnings.push(m) });
    expect(await cache.restore(job('aaa'))).to.equal(true);
    const ref = `${cacheRepo}/base:aaa`;
    expect(calls).to.deep.equal([`pull ${ref}`, `tag ${ref} dappdeps/base:0.2.3`, `remove ${ref}`]);
    expect(warnings).to.deep.equal([]);
  });

  it('misses quietly when the registry has no such tag', async () => {
    const { engine } = fakeEngine({});
    const warnings: string[] = [];
    const cache = new RegistryCache(engine, { repository: cacheRepo, push: true, onWarning: (m) => warnings.push(m) });
    expect(await cache.restore(job('bbb'))).to.equal(false);
    expect(warnings).to.deep.equal([]);
  });

  it('refuses an image whose content-hash label is not its tag (a stale or forged entry)', async () => {
    const { engine, calls } = fakeEngine({ ccc: 'something-else' });
    const warnings: string[] = [];
    const cache = new RegistryCache(engine, { repository: cacheRepo, push: true, onWarning: (m) => warnings.push(m) });
    expect(await cache.restore(job('ccc'))).to.equal(false);
    expect(calls.filter((c) => c.startsWith('tag'))).to.deep.equal([]);
    expect(calls).to.include(`remove ${cacheRepo}/base:ccc`);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/content hash something-else, not its tag's: refused, building it/);
  });

  it('gives up an unreachable cache with one warning, and asks it nothing more', async () => {
    const down = pullFailure(500, 'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused');
    const { engine, calls } = fakeEngine({}, { pull: down });
    const warnings: string[] = [];
    const cache = new RegistryCache(engine, { repository: cacheRepo, push: true, onWarning: (m) => warnings.push(m) });
    expect(await cache.restore(job('a1'))).to.equal(false);
    expect(await cache.restore(job('a2'))).to.equal(false);
    await cache.store(job('a3'));
    expect(calls).to.deep.equal([`pull ${cacheRepo}/base:a1`]);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(
      /^cannot use the build cache 127.0.0.1:5000\/dappdeps-cache: .*connection refused.*; building without it$/,
    );
  });

  it('pushes what was built under its hash, unless read-only; a refused push warns once and stops pushing', async () => {
    const { engine, calls } = fakeEngine({});
    const cache = new RegistryCache(engine, { repository: cacheRepo, push: true, onWarning: () => undefined });
    await cache.store(job('ddd'));
    const ref = `${cacheRepo}/base:ddd`;
    expect(calls).to.deep.equal([`tag dappdeps/base:0.2.3 ${ref}`, `push ${ref}`, `remove ${ref}`]);

    const readOnly = fakeEngine({});
    await new RegistryCache(readOnly.engine, { repository: cacheRepo, push: false, onWarning: () => undefined }).store(
      job('ddd'),
    );
    expect(readOnly.calls).to.deep.equal([]);

    const refusing = fakeEngine({}, { push: new Error('denied: requested access to the resource is denied') });
    const warnings: string[] = [];
    const cache2 = new RegistryCache(refusing.engine, {
      repository: cacheRepo,
      push: true,
      onWarning: (m) => warnings.push(m),
    });
    await cache2.store(job('e1'));
    await cache2.store(job('e2'));
    expect(refusing.calls.filter((c) => c.startsWith('push'))).to.deep.equal([`push ${cacheRepo}/base:e1`]);
    expect(warnings).to.deep.equal([
      `the build cache ${cacheRepo} refused a push (denied: requested access to the resource is denied): building on without pushing`,
    ]);
  });
});

describe('the build cache setting', () => {
  let distro: Distro;
  before(async () => {
    distro = await loadDistro(path.join(fixturesDir, 'orchestrator/distro'));
  });
  const withCache = (cache: { repository: string; push: boolean }): Distro => ({
    ...distro,
    settings: { ...distro.settings, cache },
  });

  it('is --cache, else DAPPDEPS_CACHE, else distro.yaml; none when none is set', () => {
    const yaml = withCache({ repository: 'reg.example:5000/from-yaml', push: false });
    expect(chooseCache(distro, {}, {})).to.equal(undefined);
    expect(chooseCache(yaml, {}, {})).to.deep.equal({ repository: 'reg.example:5000/from-yaml', push: false });
    expect(chooseCache(yaml, {}, { DAPPDEPS_CACHE: 'reg:1/env' })).to.deep.equal({
      repository: 'reg:1/env',
      push: false,
    });
    expect(chooseCache(distro, { cache: 'reg:2/opt' }, { DAPPDEPS_CACHE: 'reg:1/env' })).to.deep.equal({
      repository: 'reg:2/opt',
      push: true,
    });
    expect(chooseCache(distro, { cache: 'reg:2/opt' }, { DAPPDEPS_CACHE_PUSH: '0' })?.push).to.equal(false);
    expect(chooseCache(distro, { cache: 'reg:2/opt', push: false }, {})?.push).to.equal(false);
  });

  it('refuses a value that is not HOST[:PORT]/REPOSITORY, naming where it came from', () => {
    expect(() => chooseCache(distro, { cache: 'no-repository' }, {})).to.throw(
      UsageError,
      /^--cache: must be a registry and a repository/,
    );
    expect(() => chooseCache(distro, {}, { DAPPDEPS_CACHE: 'Reg:1/x y' })).to.throw(UsageError, /^DAPPDEPS_CACHE: /);
  });
});

describe('buildDistro with a build cache (fake engine and cache)', () => {
  let distro: Distro;
  let workDir: string;
  before(async () => {
    distro = await loadDistro(path.join(fixturesDir, 'orchestrator/distro'));
    workDir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-unit-cache-'));
  });
  after(() => rm(workDir, { recursive: true, force: true }));

  function run(cache: ImageCache, force = false) {
    const built: string[] = [];
    const engine: BuildEngine = {
      images: {
        inspect: async () => undefined,
        save: async () => Readable.from([]),
        build: async (request) => {
          built.push(request.image);
          return { id: 'sha256:new' };
        },
        remove: async () => undefined,
      },
      containers: { run: () => Promise.reject(new Error('no lock here')) },
    };
    const summary = buildDistro(distro, engine, {
      strategy: 'binary',
      names: ['solo'],
      force: force ? 'named' : 'none',
      concurrency: 1,
      workDir,
      idleTimeoutMs: 1000,
      ensureBaseImage: async () => undefined,
      cache,
    });
    return { summary, built };
  }
  const fakeCache = (hit: boolean) => {
    const seen: string[] = [];
    const cache: ImageCache = {
      restore: async (j) => {
        seen.push(`restore ${j.name}`);
        return hit;
      },
      store: async (j) => {
        seen.push(`store ${j.name}`);
      },
      refused: (j) => seen.push(`refused ${j.name}`),
    };
    return { cache, seen };
  };

  it('counts a hit as pulled and builds nothing', async () => {
    const { cache, seen } = fakeCache(true);
    const { summary, built } = run(cache);
    expect((await summary).results.map((r) => r.state)).to.deep.equal(['pulled']);
    expect(built).to.deep.equal([]);
    expect(seen).to.deep.equal(['restore solo']);
  });

  it('builds a miss and offers it to the cache; --force asks the cache nothing but still offers', async () => {
    const miss = fakeCache(false);
    const first = run(miss.cache);
    expect((await first.summary).results.map((r) => r.state)).to.deep.equal(['built']);
    expect(miss.seen).to.deep.equal(['restore solo', 'store solo']);
    const forced = fakeCache(true);
    const second = run(forced.cache, true);
    expect((await second.summary).results.map((r) => r.state)).to.deep.equal(['built']);
    expect(forced.seen).to.deep.equal(['store solo']);
  });
});
