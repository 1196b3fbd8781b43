import type { DockerClient } from '../../../src/docker/docker-client.js';
import { NotBuiltError } from '../../../src/errors.js';
import { loadDistro } from '../../../src/manifest/load-distro.js';
import type { Distro } from '../../../src/manifest/model.js';
import { prepareMounts } from '../../../src/mounts/prepare-mounts.js';
import { expect } from '../../support/expect.js';
import { realDistroDir } from '../../support/paths.js';

/**
 * Image mode needs an engine with image mounts (Docker 28), which these machines lack: its pure part, what it
 * asks for, is checked here with an engine that only answers which images exist.
 */
describe('prepareMounts in image mode', () => {
  let distro: Distro;
  const engineWith = (tags: string[]) =>
    ({
      images: {
        inspect: (tag: string) => Promise.resolve(tags.includes(tag) ? { id: tag, labels: {}, size: 1 } : undefined),
      },
    }) as unknown as DockerClient;
  before(async () => {
    distro = await loadDistro(realDistroDir);
  });

  it('mounts each image of the run-time closure at its prefix, and creates no volume container', async () => {
    const docker = engineWith(['dappdeps/ansible:2.14.18-1', 'dappdeps/base:5.2.15-1', 'dappdeps/git:2.39.5-1']);
    const mounts = await prepareMounts(docker, distro, [distro.index.image('ansible')], 'binary', 'image');
    expect(mounts).to.deep.equal({
      volumesFrom: [],
      imageMounts: [
        {
          image: 'dappdeps/ansible:2.14.18-1',
          target: '/.dapp/deps/ansible/2.14.18-1',
          subpath: '/.dapp/deps/ansible/2.14.18-1',
        },
        { image: 'dappdeps/base:5.2.15-1', target: '/.dapp/deps/base/5.2.15-1', subpath: '/.dapp/deps/base/5.2.15-1' },
        { image: 'dappdeps/git:2.39.5-1', target: '/.dapp/deps/git/2.39.5-1', subpath: '/.dapp/deps/git/2.39.5-1' },
      ],
    });
  });

  it('refuses images not built, telling how to build them', async () => {
    const docker = engineWith(['dappdeps/ansible:2.14.18-1']);
    const prepared = prepareMounts(docker, distro, [distro.index.image('ansible')], 'binary', 'image');
    await expect(prepared).to.be.rejectedWith(
      NotBuiltError,
      'not built: dappdeps/base:5.2.15-1, dappdeps/git:2.39.5-1',
    );
    const error = (await prepared.catch((e: unknown) => e)) as NotBuiltError;
    expect(error.hint).to.equal('run `dappdeps build base git` first');
  });
});
