import path from 'node:path';
import Docker from 'dockerode';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { buildStates, fixtureCli } from '../support/fixture-cli.js';
import { treeDifferences, treeDigest } from '../support/tree-digest.js';

/**
 * `build --builder classic|buildkit` on the Docker engine (dockerd 20.10: BuildKit 0.8 through dockerode's
 * `version: '2'`): app's stage gets tools' prefix extracted into its context (classic) or mounted from the
 * tools image (BuildKit); the prefixes both builders produce are the same, file by file.
 */
describe('the two builders on a real engine (fixture distro)', function () {
  this.timeout(600_000);
  let fx: FixtureDistro;
  const { cli, build } = fixtureCli(() => fx);
  /** Both images' prefixes, extracted, as one digest (each image's paths start with its prefix). */
  const prefixes = async (to: string) => {
    const digest = new Map<string, string>();
    for (const name of ['tools', 'app']) {
      const dir = path.join(fx.tmp, to, name);
      const extracted = await cli('extract', name, '--to', dir);
      expect(extracted.code, extracted.text).to.equal(0);
      for (const [entry, what] of await treeDigest(dir)) digest.set(entry, what);
    }
    return digest;
  };

  before(async () => {
    await new Docker().ping(); // no engine: fail here, loudly, never skip
    fx = await fixtureDistro('orchestrator');
  });
  after(async () => fx?.cleanup());

  it('give the same prefixes: classic extracts the dependency, BuildKit mounts it', async () => {
    const classic = await build('--builder', 'classic', 'app');
    expect(classic.code, classic.stderr.join('\n')).to.equal(0);
    expect(buildStates(classic.stdout)).to.deep.equal({ tools: 'built', app: 'built' });
    const byClassic = await prefixes('classic');

    const buildkit = await build('--builder', 'buildkit', '--force-deps', 'app'); // tools too, by BuildKit
    expect(buildkit.code, buildkit.stderr.join('\n')).to.equal(0);
    expect(buildStates(buildkit.stdout)).to.deep.equal({ tools: 'built', app: 'built' });
    const byBuildkit = await prefixes('buildkit');

    expect(byClassic.get('.dapp/deps/app/2.0/built-with')).to.be.a('string');
    expect(byClassic.size).to.be.greaterThan(8);
    expect(treeDifferences(byClassic, byBuildkit)).to.deep.equal([]);
  });

  it('BuildKit makes a failing step fail the build, with its output', async () => {
    const failed = await build('--builder', 'buildkit', 'broken');
    expect(failed.code).to.equal(1);
    expect(buildStates(failed.stdout)).to.deep.equal({ broken: 'failed' });
    expect(failed.stderr.join('\n')).to.contain('about to fail on purpose');
  });
});
