import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { runCli } from '../support/run-cli.js';
import { startEngine, startRegistry, type TestService } from '../support/test-services.js';
import { withEnv } from '../support/env.js';

const exec = promisify(execFile);

interface Summary {
  built: number;
  pulled: number;
  cached: number;
  failed: number;
}

/**
 * A registry as the shared build cache, between two empty engines: A builds the fixture distro with --cache and
 * pushes every image under its content hash; B runs the same build and builds nothing (every image pulled, its
 * hash label checked); a changed manifest then builds that image and its dependents only; an unreachable cache
 * is one warning and a local build.
 */
describe('a registry as the build cache, between two engines', function () {
  this.timeout(1_800_000);
  let tmp: string;
  let registry: TestService;
  let engineA: TestService;
  let engineB: TestService;
  let fixture: FixtureDistro;
  let cache: string;

  /** `dappdeps build … --json` on the engine at `host`: its summary event, and everything printed. */
  async function build(host: string, ...args: string[]) {
    const run = await onEngine(host, () => runCli(fixture.dir, 'build', 'app', 'solo', '--json', ...args));
    const events = run.stdout.map((line) => JSON.parse(line) as { event: string } & Summary & { message?: string });
    const summary = events.find((e) => e.event === 'summary');
    return { ...run, summary, events };
  }
  /** Runs `fn` with DOCKER_HOST set to `host`. */
  function onEngine<T>(host: string, fn: () => Promise<T>): Promise<T> {
    return withEnv({ DOCKER_HOST: host }, fn);
  }
  /** The fixture's base image, carried from the engine the tests run against into an empty one. */
  async function seed(host: string) {
    const file = path.join(tmp, 'debian.tar');
    await exec('/usr/bin/docker', ['save', '-o', file, 'debian:bookworm']);
    await exec('/usr/bin/docker', ['load', '-q', '-i', file], { env: { PATH: process.env.PATH, DOCKER_HOST: host } });
  }

  before(async () => {
    await new Docker().ping(); // the engine holding debian:bookworm: none is a failure, never a skip
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-cache-'));
    registry = await startRegistry(path.join(tmp, 'registry'));
    engineA = await startEngine(path.join(tmp, 'a'));
    engineB = await startEngine(path.join(tmp, 'b'));
    await seed(engineA.address);
    await seed(engineB.address);
    fixture = await fixtureDistro('orchestrator');
    cache = `${registry.address}/build-cache`;
  });

  after(async () => {
    await engineA?.stop();
    await engineB?.stop();
    await registry?.stop();
    if (fixture) await rm(fixture.tmp, { recursive: true, force: true });
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('A builds and pushes; B pulls everything and builds nothing', async () => {
    const a = await build(engineA.address, '--cache', cache);
    expect(a.code, a.text).to.equal(0);
    expect(a.summary).to.include({ built: 3, pulled: 0, failed: 0 });
    const tags = await exec('curl', ['-fsS', `http://${registry.address}/v2/build-cache/tools/tags/list`]);
    expect((JSON.parse(tags.stdout) as { tags: string[] }).tags).to.have.length(1);

    const b = await build(engineB.address, '--cache', cache);
    expect(b.code, b.text).to.equal(0);
    expect(b.summary).to.include({ built: 0, pulled: 3, cached: 0, failed: 0 });
    // The images B got are A's, layer for layer, under their local names.
    const inspect = async (host: string, ref: string) =>
      (
        await exec('/usr/bin/docker', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref], {
          env: { PATH: process.env.PATH, DOCKER_HOST: host },
        })
      ).stdout;
    const app = `${fixture.repository}/app:2.0`;
    expect(await inspect(engineB.address, app)).to.equal(await inspect(engineA.address, app));
    // B's volume containers work from what it pulled.
    const run = await onEngine(engineB.address, () =>
      runCli(fixture.dir, 'run', '--with', 'solo', '--', '/.dapp/deps/solo/1.0/bin/solo', '5'),
    );
    expect(run.code, run.text).to.equal(5);
  });

  it('a changed manifest builds that image and its dependents only; the others stay', async () => {
    const file = path.join(fixture.dir, 'tools.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^description: .*$/m, 'description: changed'));
    const b = await build(engineB.address, '--cache', cache);
    expect(b.code, b.text).to.equal(0);
    expect(b.summary).to.include({ built: 2, pulled: 0, cached: 1, failed: 0 });
    const states = (run: typeof b) =>
      Object.fromEntries(
        run.events.filter((e) => 'image' in e).map((e) => [(e as { image?: string }).image, e.event] as const),
      );
    expect(states(b)).to.deep.equal({ tools: 'built', app: 'built', solo: 'cached' });
    // A, which has the old tools, now pulls the new tools and app that B pushed.
    const a = await build(engineA.address, '--cache', cache);
    expect(a.summary).to.include({ built: 0, pulled: 2, cached: 1, failed: 0 });
    expect(states(a)).to.deep.equal({ tools: 'pulled', app: 'pulled', solo: 'cached' });
  });

  it('an unreachable cache is one warning and a local build', async () => {
    const file = path.join(fixture.dir, 'solo.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^description: .*$/m, 'description: changed'));
    const b = await build(engineB.address, '--cache', '127.0.0.1:1/nothing-here');
    expect(b.code, b.text).to.equal(0);
    expect(b.summary).to.include({ built: 1, pulled: 0, cached: 2, failed: 0 });
    expect(b.text.match(/cannot use the build cache 127\.0\.0\.1:1\/nothing-here/g)).to.have.length(1);
  });
});
