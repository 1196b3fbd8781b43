import { main } from '../../../src/cli/main.js';
import { mountFlags, type MountSource } from '../../../src/mounts/mount-flags.js';
import { captureOutput } from '../../support/capture-output.js';
import { expect } from '../../support/expect.js';
import { realDistroDir } from '../../support/paths.js';

const sources: MountSource[] = [
  { name: 'a', tag: 'r/a:1', prefix: '/.dapp/deps/a/1', container: 'r-a' },
  { name: 'b', tag: 'r/b:2-source', prefix: '/.dapp/deps/b/2', container: 'r-b' },
];

describe('mount flags', () => {
  it('gives BuildKit bind mounts of each prefix from its image, at the same path, on one line', () => {
    expect(mountFlags(sources, 'buildkit')).to.equal(
      '--mount=type=bind,from=r/a:1,source=/.dapp/deps/a/1,target=/.dapp/deps/a/1 ' +
        '--mount=type=bind,from=r/b:2-source,source=/.dapp/deps/b/2,target=/.dapp/deps/b/2',
    );
  });

  it('gives read-only --volumes-from flags naming the volume containers', () => {
    expect(mountFlags(sources, 'volumes-from')).to.equal('--volumes-from r-a:ro --volumes-from r-b:ro');
  });

  it('gives docker run image mounts of each prefix (image-subpath), at the same path', () => {
    expect(mountFlags(sources, 'docker-run')).to.equal(
      '--mount type=image,source=r/a:1,target=/.dapp/deps/a/1,image-subpath=/.dapp/deps/a/1 ' +
        '--mount type=image,source=r/b:2-source,target=/.dapp/deps/b/2,image-subpath=/.dapp/deps/b/2',
    );
  });
});

describe('dappdeps mounts', () => {
  const mounts = async (...args: string[]) => {
    const output = captureOutput();
    const code = await main(['mounts', '--distro', realDistroDir, ...args], output);
    return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
  };

  it('adds the run-time closure from the distro index, in distro order', async () => {
    const { code, stdout } = await mounts('ansible');
    expect(code).to.equal(0);
    expect(stdout).to.equal(
      [
        '--mount=type=bind,from=dappdeps/ansible:2.14.18-1,source=/.dapp/deps/ansible/2.14.18-1,target=/.dapp/deps/ansible/2.14.18-1',
        '--mount=type=bind,from=dappdeps/base:5.2.15-1,source=/.dapp/deps/base/5.2.15-1,target=/.dapp/deps/base/5.2.15-1',
        '--mount=type=bind,from=dappdeps/git:2.39.5-1,source=/.dapp/deps/git/2.39.5-1,target=/.dapp/deps/git/2.39.5-1',
      ].join(' '),
    );
  });

  it('prints --volumes-from flags and source-strategy tags when asked', async () => {
    expect((await mounts('git', 'base', '--format', 'volumes-from')).stdout).to.equal(
      '--volumes-from dappdeps-base:ro --volumes-from dappdeps-git:ro',
    );
    expect((await mounts('git', '--strategy', 'source')).stdout).to.contain('from=dappdeps/git:2.39.5-1-source,');
  });

  it('rejects an unknown image, an unknown format and no names as usage errors (exit 2)', async () => {
    const unknown = await mounts('nope');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain('unknown image "nope"');
    expect((await mounts('git', '--format', 'podman')).code).to.equal(2);
    expect((await mounts()).code).to.equal(2);
  });
});
