import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { DappdepsError } from '../../../src/errors.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import type { Distro } from '../../../src/manifest/model.js';
import { provisionWith, readInputs, type ProvisionInputs } from '../../../src/provision/provision-image.js';
import { dir, expect, file, tarOf } from '../../support/archive-fixtures.js';
import { FakeProvisionEngine, provisionOnFake, type FakeEngineOptions } from '../../support/fake-provision-engine.js';
import { realDistroDir } from '../../support/paths.js';

/**
 * provision's orchestration on an engine in memory: a failure in each phase, and what is cleaned up and kept.
 * The real phases run (plan, rewrite over real archives, load check); only the engine is fake.
 */
describe('provision phases on a fake engine', () => {
  let distro: Distro;
  let work: string;
  let inputs: ProvisionInputs;
  before(async () => {
    distro = await loadDistro(realDistroDir);
    work = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-phases-'));
    await writeFile(path.join(work, 'site.yml'), '- hosts: all\n  tasks: []\n');
    inputs = await readInputs(distro, { playbook: path.join(work, 'site.yml'), tag: 'result:1' });
  });
  after(() => rm(work, { recursive: true, force: true }));

  const engineWith = async (options: Partial<FakeEngineOptions> = {}) =>
    new FakeProvisionEngine({
      sourceLayers: [await tarOf([dir('etc/'), file('etc/os-release', 'ID=test\n')])],
      runLayer: await tarOf([
        dir('.dapp/'),
        dir('.dapp/provision/'),
        dir('srv/'),
        file('srv/hello.txt', 'hello\n'),
        dir('tmp/'),
        dir('tmp/.ansible/'),
        dir('tmp/.ansible/tmp/'),
      ]),
      ...options,
    });
  const provision = (
    engine: FakeProvisionEngine,
    extra: { keepFailed?: boolean; noCache?: boolean; tag?: string; extraVars?: string[] } = {},
    read: ProvisionInputs = inputs,
  ) => provisionOnFake(engine, distro, read, extra);
  const failure = async (engine: FakeProvisionEngine, extra: { keepFailed?: boolean } = {}) => {
    const error = await provision(engine, extra).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, 'the run should have failed').to.be.instanceOf(Error);
    return error as Error;
  };
  /** Only the source image is left, untouched, and no container. */
  const onlySourceLeft = (engine: FakeProvisionEngine) => {
    expect(engine.containerIds.size, 'containers left').to.equal(0);
    expect(engine.tags.has('result:1'), 'result tagged').to.equal(false);
    expect(engine.imageIds).to.deep.equal([engine.tags.get('source:1')]);
  };

  it('runs the phases in order and leaves only the tagged result', async () => {
    const engine = await engineWith();
    const result = await provision(engine);
    expect(
      engine.calls.map((c) => c.split(' ')[0] + (c.startsWith('remove') ? ` ${c.split(' ')[1]}` : '')),
    ).to.deep.equal(['create', 'put', 'commit', 'remove container', 'load', 'tag', 'remove image']);
    expect(engine.tags.get('result:1')).to.equal(result.id);
    expect(engine.imageIds.sort()).to.deep.equal([engine.tags.get('source:1'), result.id].sort());
    expect(engine.containerIds.size).to.equal(0);
    expect(result.layer?.removed).to.deep.equal([
      '/.dapp',
      '/.dapp/provision',
      '/tmp',
      '/tmp/.ansible',
      '/tmp/.ansible/tmp',
    ]);
    expect(result.layer?.entries).to.equal(2);
    expect(result.config.Cmd).to.deep.equal(['sh']);
    expect(result.config.Labels).to.include({ 'io.dappdeps.provision.ansible-core': '2.14.18' });
  });

  it('survey: a missing source image is pulled (--pull missing), then exit 2 before anything is created', async () => {
    for (const [from, pull, calls, hint] of [
      ['absent:1', 'missing', ['pull absent:1'], /load or build it first/],
      ['absent:1', 'never', [], /drop --pull never/],
      ['debian:trixie', 'missing', ['pull debian:trixie'], /dappdeps bootstrap debian:trixie/],
      ['debian:nosuch', 'missing', ['pull debian:nosuch'], /^load or build/],
    ] as const) {
      const engine = await engineWith();
      const error = await provisionWith(
        engine,
        distro,
        {
          playbook: inputs.playbook.file,
          from,
          pull,
          tag: 'result:1',
          stdout: new PassThrough(),
          stderr: new PassThrough(),
        },
        inputs,
      ).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DappdepsError);
      expect((error as DappdepsError).exitCode).to.equal(2);
      expect((error as DappdepsError).message).to.match(
        pull === 'never' ? /does not exist$/ : /pulling it failed: pull access denied/,
      );
      expect((error as DappdepsError).hint).to.match(hint);
      expect(engine.calls).to.deep.equal(calls);
    }
  });

  it('run: a failing create, or a failing copy of the project, leaves nothing', async () => {
    for (const fail of ['create', 'put'] as const) {
      const engine = await engineWith({ fail });
      expect((await failure(engine)).message).to.contain(fail);
      onlySourceLeft(engine);
    }
  });

  it('run: a failing playbook removes the container, commits nothing and hints at --keep-failed', async () => {
    const engine = await engineWith({ exitCode: 2 });
    const error = await failure(engine);
    expect(error.message).to.equal('the playbook failed (ansible-playbook exited 2); no image was tagged');
    expect((error as DappdepsError).hint).to.contain('--keep-failed');
    expect(engine.calls.some((c) => c.startsWith('commit'))).to.equal(false);
    onlySourceLeft(engine);
  });

  it('run: with keepFailed the failed container is kept, named in the commands printed', async () => {
    const engine = await engineWith({ exitCode: 2 });
    const error = await failure(engine, { keepFailed: true });
    expect(engine.containerIds.size).to.equal(1);
    const name = /Kept the container (\S+):/.exec(error.message)?.[1] ?? '';
    expect(name).to.match(/^dappdeps-provision-[0-9a-f]{12}$/);
    expect(error.message).to.contain(`docker diff ${name}`);
    expect(error.message).to.contain(`docker rm -v ${name}`);
  });

  it('run: a failing engine during the run or the commit removes the container', async () => {
    for (const fail of ['run', 'commit'] as const) {
      const engine = await engineWith({ fail });
      await failure(engine, { keepFailed: true });
      onlySourceLeft(engine);
    }
  });

  it('rewrite: a failing save or a forbidden layer removes the commit and tags nothing', async () => {
    const engine = await engineWith({ fail: 'save' });
    await failure(engine);
    onlySourceLeft(engine);
    const writing = await engineWith({
      runLayer: await tarOf([dir('.dapp/'), dir('.dapp/deps/'), file('.dapp/deps/x', 'x')]),
    });
    expect((await failure(writing)).message).to.match(/would hold 1 entries where dappdeps mounts.*\/\.dapp\/deps\/x/);
    onlySourceLeft(writing);
  });

  it('load: a failing load, an image with other layers, or a failing tag leave no result behind', async () => {
    for (const fail of ['load', 'load-wrong-layers', 'tag'] as const) {
      const engine = await engineWith({ fail });
      await failure(engine);
      onlySourceLeft(engine);
    }
  });

  it('load: Docker is sent the new layer only; an engine that wants every layer file gets the whole archive', async () => {
    const docker = await engineWith();
    await provision(docker);
    expect(docker.calls.filter((c) => c.startsWith('load'))).to.have.length(1);
    expect(docker.calls.find((c) => c.startsWith('load'))).to.match(/ 1\/2$/);
    const podman = await engineWith({ product: 'podman' });
    const result = await provision(podman);
    expect(podman.calls.filter((c) => c.startsWith('load'))).to.deep.equal([`load ${result.id} 2/2`]);
    expect(podman.tags.get('result:1')).to.equal(result.id);
  });

  it('load: when Docker refuses the archive without the held layers, the whole archive is loaded', async () => {
    const engine = await engineWith({ fail: 'load-partial' });
    const result = await provision(engine);
    expect(engine.calls.filter((c) => c.startsWith('load'))).to.deep.equal([`load ${result.id} 2/2`]);
    expect(engine.tags.get('result:1')).to.equal(result.id);
  });

  it('cache: the same inputs tag the earlier result without creating anything; --no-cache or other inputs run', async () => {
    const engine = await engineWith();
    const first = await provision(engine);
    expect(first.cached).to.equal(false);
    engine.calls.length = 0;
    const again = await provision(engine, { tag: 'again:1' });
    expect(again).to.include({ cached: true, id: first.id });
    expect(engine.calls).to.deep.equal(['tag again:1']);
    expect(again.labels).to.deep.equal(first.labels);
    const forced = await provision(engine, { noCache: true });
    expect(forced.cached).to.equal(false);
    expect(engine.calls.filter((c) => c.startsWith('create'))).to.have.length(1);
    const other = await provision(engine, {}, { ...inputs, extraVars: ['--extra-vars', 'a=1'] });
    expect(other.cached).to.equal(false);
    expect(other.labels['io.dappdeps.provision.key']).not.to.equal(first.labels['io.dappdeps.provision.key']);
  });
});
