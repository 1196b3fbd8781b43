import { readdir } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { CuttingProxy } from '../support/cutting-proxy.js';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { runCli, type CliRun } from '../support/run-cli.js';

/** One clear line (and maybe a hint), never a stack trace. */
function expectCleanFailure(run: CliRun, ...mentions: RegExp[]): void {
  expect(run.code, run.text).to.equal(1);
  expect(run.text).not.to.match(/^\s+at .*:\d+:\d+\)?$/m);
  for (const mention of mentions) expect(run.stderr.join('\n')).to.match(mention);
}

/** Every file and folder under `dir`, relative. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true }).catch(() => [])).sort();
}

describe('faults: the engine connection drops (issue 9)', function () {
  this.timeout(600_000);
  let fx: FixtureDistro;
  let proxy: CuttingProxy;
  const docker = new Docker();
  const saved = process.env.DOCKER_HOST;

  before(async () => {
    await docker.ping();
    fx = await fixtureDistro('faults');
    proxy = await CuttingProxy.start();
    const built = await runCli(fx.dir, 'build', '--work-dir', path.join(fx.tmp, 'work'));
    expect(built.code, built.text).to.equal(0);
  });
  beforeEach(() => {
    process.env.DOCKER_HOST = proxy.url;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
    proxy.arm(undefined);
  });
  after(async () => {
    await proxy?.stop();
    await fx?.cleanup();
  });

  it('extract: a `docker save` cut mid-layer fails with one line naming the image, leaves nothing, and the next run works', async () => {
    const to = path.join(fx.tmp, 'extract', 'out');
    proxy.arm({ request: /^GET \S*\/images\/\S+\/get/, afterBytes: 1024 * 1024 });
    const cut = await runCli(fx.dir, 'extract', 'tools', '--to', to);
    expect(proxy.cuts).to.equal(1);
    expectCleanFailure(cut, new RegExp(`${fx.repository}/tools:1\\.0`));
    expect(await tree(path.join(fx.tmp, 'extract'))).to.deep.equal([]);
    const again = await runCli(fx.dir, 'extract', 'tools', '--to', to);
    expect(again.code, again.text).to.equal(0);
    expect(await tree(to)).to.include('.dapp/deps/tools/1.0/random');
  });
});
