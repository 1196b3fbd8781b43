import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import tarStream from 'tar-stream';
import { createDockerClient } from '../../src/docker/docker-client.js';
import { loadDistro } from '../../src/manifest/load-distro.js';
import { ensureSmokeTargets } from '../../src/verify/smoke-targets.js';
import { expect } from '../support/expect.js';
import { savedLayers } from '../support/image-layers.js';
import { fixturesDir, realDistroDir, repoRoot } from '../support/paths.js';
import { addTree, roleTarball } from '../support/pack-tree.js';
import { layerFiles, MadeImages } from '../support/provisioned.js';
import { runCli } from '../support/run-cli.js';

const run = promisify(execFile);
const PROJECT = path.join(fixturesDir, 'provision/project');

/**
 * `dappdeps provision` as a CI job runs it: the CLI in a container (debian:bookworm with this checkout and
 * node mounted), the project only in that container's file system, the engine reached through its mounted
 * socket (GitLab's socket binding, GitHub's runners) or over TCP (a dind service). The engine's host has no
 * copy of the project; when it has a folder of the same path, that folder must not be what runs.
 */
describe('provision from a CI job: the CLI in a container, the engine through its socket or over TCP', function () {
  this.timeout(1_800_000);
  const docker = new Docker();
  const made = new MadeImages(docker);
  const jobDir = `/tmp/dappdeps-ci-job-${randomBytes(4).toString('hex')}`;
  let projectTar: Buffer;
  let busybox: string;

  const tag = (name: string) => made.add(`dappdeps-test-ci/${name}-${randomBytes(3).toString('hex')}:1`);

  /** Runs the CLI in a job container on the main engine; `host` is the DOCKER_HOST the job uses. */
  const job = async (host: string, args: string[], binds: string[]) => {
    const container = await docker.createContainer({
      Image: 'debian:bookworm',
      Entrypoint: ['/usr/bin/node', '/app/bin/dappdeps.js'],
      Cmd: ['provision', ...args, '--distro', '/app/distro'],
      Env: [`DOCKER_HOST=${host}`, 'CI=1'],
      HostConfig: {
        NetworkMode: 'host',
        Binds: [`${repoRoot}:/app:ro`, `${process.execPath}:/usr/bin/node:ro`, ...binds],
      },
    });
    try {
      // The project exists in the job's own file system only, as a checkout in a CI job does.
      await container.putArchive(Readable.from([projectTar]), { path: '/' });
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
      return { code: StatusCode, logs };
    } finally {
      await container.remove({ force: true, v: true });
    }
  };
  const projectArgs = (from: string, to: string) => [
    `${jobDir}/project/playbooks/site.yml`,
    '--context',
    `${jobDir}/project`,
    '--from',
    from,
    '--tag',
    to,
    '-e',
    'who=ci',
  ];
  const files = async (ref: string, engine = docker) => {
    return layerFiles((await savedLayers(ref, engine)).layers.at(-1) ?? []);
  };
  const socket = () => {
    const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    if (!host.startsWith('unix://')) throw new Error(`these tests mount the engine's socket: DOCKER_HOST=${host}`);
    return host.slice('unix://'.length);
  };

  before(async () => {
    await docker.ping();
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
    const distro = await loadDistro(realDistroDir);
    const targets = await ensureSmokeTargets(createDockerClient(), distro, new AbortController().signal);
    busybox = targets[0]?.image ?? '';
    expect(existsSync(jobDir), `${jobDir} on this machine`).to.equal(false);
    projectTar = await packProject(`${jobDir.slice(1)}/project`);
  });

  after(async () => {
    await made.removeAll();
    await rm(jobDir, { recursive: true, force: true });
  });

  it("through the mounted socket: a role, its template, a role and a collection from requirements.yml; nothing made on the engine's host", async () => {
    const to = tag('socket');
    const result = await job(
      'unix:///var/run/docker.sock',
      [...projectArgs('debian:bookworm', to), '--no-cache'],
      [`${socket()}:/var/run/docker.sock`],
    );
    expect(result.code, result.logs).to.equal(0);
    expect(await files(to)).to.deep.equal({
      'srv/greeting.txt': 'hello ci\n',
      'srv/vendored.txt': 'vendored\n',
      'srv/shout.txt': 'CI!\n',
    });
    expect(existsSync(jobDir), `${jobDir} made on the engine's host`).to.equal(false);
    const labels = (await docker.getImage(to).inspect()).Config.Labels;
    expect(labels).to.include({ 'io.dappdeps.provision.playbook': 'playbooks/site.yml' });
    expect(labels['io.dappdeps.provision.context.sha256']).to.match(/^[0-9a-f]{64}$/);
  });

  it("the same-path trap: a folder of the job's path on the engine's host is not what runs", async () => {
    await mkdir(path.join(jobDir, 'project/playbooks'), { recursive: true });
    await writeFile(
      path.join(jobDir, 'project/playbooks/site.yml'),
      '- hosts: all\n  tasks:\n    - copy: { content: "trap\\n", dest: /srv/trap.txt }\n',
    );
    const to = tag('trap');
    const result = await job(
      'unix:///var/run/docker.sock',
      [...projectArgs('debian:bookworm', to), '--no-cache'],
      [`${socket()}:/var/run/docker.sock`],
    );
    expect(result.code, result.logs).to.equal(0);
    const written = await files(to);
    expect(written).not.to.have.property('srv/trap.txt');
    expect(written['srv/greeting.txt']).to.equal('hello ci\n');
    expect(await readdir(path.join(jobDir, 'project')), "the engine's host folder").to.deep.equal(['playbooks']);
    await rm(jobDir, { recursive: true, force: true });
  });

  describe('over TCP to a second engine', () => {
    let engineDir: string;
    let second: Docker;
    const port = 23750 + Math.floor(Math.random() * 200);

    before(async () => {
      engineDir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-tcp-engine-'));
      await run('bash', [
        path.join(repoRoot, 'scripts/test-engine.sh'),
        'start',
        engineDir,
        '-H',
        `tcp://127.0.0.1:${port}`,
      ]);
      second = new Docker({ host: '127.0.0.1', port, protocol: 'http' });
      // The second engine gets what the job needs: the dappdeps images to mount and the image to provision.
      const distro = await loadDistro(realDistroDir);
      const refs = [
        busybox,
        ...['ansible', 'git', 'base'].map((n) => distro.index.tag(distro.index.image(n), 'binary')),
      ];
      await run(
        'bash',
        [
          '-c',
          '/usr/bin/docker save "$@" | DOCKER_HOST=$0 /usr/bin/docker load -q',
          `tcp://127.0.0.1:${port}`,
          ...refs,
        ],
        {
          maxBuffer: 1e8,
        },
      );
    });

    after(async () => {
      await run('bash', [path.join(repoRoot, 'scripts/test-engine.sh'), 'stop', engineDir]);
      await rm(engineDir, { recursive: true, force: true });
    });

    it('provisions into the second engine, a cached re-run creates nothing there', async () => {
      const to = tag('tcp');
      const first = await job(`tcp://127.0.0.1:${port}`, projectArgs(busybox, to), []);
      expect(first.code, first.logs).to.equal(0);
      expect(await files(to, second)).to.deep.equal({
        'srv/greeting.txt': 'hello ci\n',
        'srv/vendored.txt': 'vendored\n',
        'srv/shout.txt': 'CI!\n',
      });
      expect(
        await docker
          .getImage(to)
          .inspect()
          .catch(() => undefined),
        'on the main engine',
      ).to.equal(undefined);
      const containers = (await second.listContainers({ all: true })).length;
      const again = await job(`tcp://127.0.0.1:${port}`, projectArgs(busybox, `${to}-again`), []);
      expect(again.code, again.logs).to.equal(0);
      expect(again.logs).to.match(/: cached \(/);
      expect((await second.getImage(`${to}-again`).inspect()).Id).to.equal((await second.getImage(to).inspect()).Id);
      expect((await second.listContainers({ all: true })).length, 'containers on the second engine').to.equal(
        containers,
      );
      expect(existsSync(jobDir)).to.equal(false);
    });
  });
});

/** The fixture project under `prefix`, with vendor/vendored_role.tar.gz packed from vendor/vendored_role/. */
async function packProject(prefix: string): Promise<Buffer> {
  const pack = tarStream.pack();
  const parts = prefix.split('/');
  for (let i = 1; i < parts.length; i++) pack.entry({ name: `${parts.slice(0, i).join('/')}/`, type: 'directory' });
  await addTree(pack, PROJECT, prefix);
  const role = path.join(PROJECT, 'vendor/vendored_role');
  pack.entry({ name: `${prefix}/vendor/vendored_role.tar.gz`, mode: 0o644 }, await roleTarball(role, 'vendored_role'));
  pack.finalize();
  return buffer(pack);
}
