import { Readable } from 'node:stream';
import Docker from 'dockerode';
import tarStream from 'tar-stream';
import { createDockerClient } from '../../src/docker/docker-client.js';
import { findImage, loadDistro } from '../../src/manifest/load-distro.js';
import type { ImageModel } from '../../src/manifest/image-model.js';
import { ensureSmokeTargets } from '../../src/verify/smoke-targets.js';
import { ensureVolumes } from '../../src/volumes/volume-containers.js';
import { demuxLogs } from '../external/targets-suite/docker-logs.js';
import { ensureNativeImage } from '../external/targets-suite/native-image.js';
import { expect } from '../support/expect.js';
import { realDistroDir } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

/** The busybox image (no libc) with users to become (in /etc/passwd and /etc/group) and a /tmp anyone can write. */
const busyboxWithUsers = (from: string) => `FROM ${from}
RUN ["/bin/busybox", "sh", "-c", "mkdir -p /etc /home/app /tmp && chmod 1777 /tmp && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo 'app:x:1000:1000:app:/home/app:/bin/sh' >> /etc/passwd && printf 'root:x:0:\\\\napp:x:1000:\\\\n' > /etc/group && chown 1000:1000 /home/app"]
`;

/**
 * become_method sudo (Ansible's default) relocated: where the image has no sudo, the ansible prefix's sudo for
 * root (sudo-root.py) runs the task as the become user; where it has its own, that one runs. Ad-hoc tasks with
 * the local connection, each printing a marker line with its exit code.
 */
describe('become with sudo, relocated', function () {
  this.timeout(1_800_000);
  const docker = new Docker();
  let ansible: ImageModel;
  let volumes: string[];
  const made: string[] = [];

  const run = async (image: string, lines: string[], user?: string): Promise<string> => {
    const script = [
      `A=${ansible.prefix}/bin/ansible`,
      'run() { label=$1; shift; "$A" localhost -c local "$@" > /tmp/out 2>&1; echo "== $label exit $?"; cat /tmp/out; }',
      ...lines,
    ].join('\n');
    const container = await docker.createContainer({
      Image: image,
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: [script],
      User: user,
      HostConfig: { NetworkMode: 'none', VolumesFrom: volumes.map((v) => `${v}:ro`) },
    });
    try {
      await container.start();
      await container.wait();
      return demuxLogs((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer);
    } finally {
      await container.remove({ force: true, v: true });
    }
  };
  const section = (output: string, label: string): string => {
    const start = output.indexOf(`== ${label} exit `);
    expect(start, `no ${label} section in:\n${output}`).to.be.at.least(0);
    const next = output.indexOf('\n== ', start + 1);
    return output.slice(start, next < 0 ? undefined : next);
  };
  // `command -v sudo` as a task sees the task's PATH: the target's folders, then git's; the prefix's sudo is run by
  // path (ANSIBLE_SUDO_EXE), so a playbook's own check finds the target's sudo or none
  const checks = (user: string) => [
    `run which -m shell -a 'command -v sudo || echo no-sudo'`,
    `run whoami -m command -a 'id -un' --become --become-user ${user}`,
    `run home -m shell -a 'echo "home=$HOME"' --become --become-user ${user}`,
  ];

  before(async () => {
    await docker.ping();
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
    const distro = await loadDistro(realDistroDir);
    ansible = findImage(distro, 'ansible');
    const client = createDockerClient();
    volumes = (await ensureVolumes(client, distro, distro.index.withRunDeps([ansible]), 'binary')).map(
      (v) => v.container,
    );
  });

  after(async () => {
    for (const ref of made)
      await docker
        .getImage(ref)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('debian:bookworm without sudo: the prefix’s sudo runs the task as the become user', async () => {
    const distro = await loadDistro(realDistroDir);
    const output = await run(distro.settings.binary.baseImage, checks('nobody'));
    expect(section(output, 'which')).to.match(/^no-sudo$/m);
    expect(section(output, 'whoami'))
      .to.contain('exit 0')
      .and.match(/^nobody$/m);
    expect(section(output, 'home')).to.contain('home=/nonexistent');
  });

  it('busybox (no libc, no Python): the same, and a user that is not root gets a clear error', async () => {
    const distro = await loadDistro(realDistroDir);
    const [busybox] = await ensureSmokeTargets(createDockerClient(), distro, new AbortController().signal);
    const image = `dappdeps-test-become/busybox-users:${process.pid}`;
    made.push(image);
    const pack = tarStream.pack();
    pack.entry({ name: 'Dockerfile' }, busyboxWithUsers(busybox?.image ?? ''));
    pack.finalize();
    await createDockerClient().images.build({
      image: 'busybox-users',
      context: Readable.from(pack),
      tag: image,
      labels: { 'io.dappdeps.test': 'become' },
      network: 'none',
      onLine: () => undefined,
      idleTimeoutMs: 300_000,
    });
    const output = await run(image, checks('app'));
    expect(section(output, 'which')).to.match(/^no-sudo$/m);
    expect(section(output, 'whoami')).to.contain('exit 0').and.match(/^app$/m);
    expect(section(output, 'home')).to.contain('home=/home/app');

    const asApp = await run(image, [`run root -m command -a 'id -un' --become --become-user root`], '1000');
    expect(section(asApp, 'root')).to.contain('exit 2');
    expect(section(asApp, 'root')).to.contain('only root can run commands as another user here');
  });

  it('debian:bookworm with its own sudo: the image’s sudo comes first and runs the task', async () => {
    const distro = await loadDistro(realDistroDir);
    // Debian's ansible-core, git and sudo: the targets suite's baseline image, built once and kept
    const image = await ensureNativeImage(createDockerClient(), distro.settings.binary.baseImage);
    const output = await run(image, checks('nobody'));
    expect(section(output, 'which'))
      .to.contain('exit 0')
      .and.match(/^\/usr\/bin\/sudo$/m);
    expect(section(output, 'whoami'))
      .to.contain('exit 0')
      .and.match(/^nobody$/m);
  });
});
