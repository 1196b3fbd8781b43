import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import tarStream from 'tar-stream';
import { createDockerClient } from '../../src/docker/docker-client.js';
import { loadDistro } from '../../src/manifest/load-distro.js';
import type { Distro } from '../../src/manifest/model.js';
import { labels } from '../../src/labels.js';
import { ensureSmokeTargets } from '../../src/verify/smoke-targets.js';
import { expect } from '../support/expect.js';
import { savedLayers, type LayerEntry } from '../support/image-layers.js';
import { fixturesDir, realDistroDir, repoRoot } from '../support/paths.js';
import { MadeImages, provisionCli, provisionRead } from '../support/provisioned.js';
import { runCli } from '../support/run-cli.js';

const fixture = (name: string) => path.join(fixturesDir, 'provision', name, 'site.yml');
/**
 * `dappdeps provision` on the real binary images and a real engine: every target of the issue (no libc, nothing
 * at all, Debian with an apt task, a non-root USER without a writable /tmp) and the failure paths. Each result is
 * read back from `docker save` by the test's own reader, not dappdeps' archive code.
 */
describe('provision on a real engine', function () {
  this.timeout(900_000);
  const docker = new Docker();
  const client = createDockerClient();
  const tag = (name: string) => `dappdeps-test-provision/${name}-${randomBytes(3).toString('hex')}:1`;
  const made = new MadeImages(docker);
  let distro: Distro;
  let busybox: string;
  let empty: string;
  let nonroot: string;

  const provision = (playbook: string, from: string, extra: Partial<Parameters<typeof provisionRead>[2]> = {}) =>
    provisionRead(client, distro, {
      playbook,
      from,
      tag: made.add(tag(path.basename(path.dirname(playbook)))),
      noCache: true,
      ...extra,
    });
  const leftovers = async () => [
    ...(await docker.listContainers({ all: true, filters: { label: [labels.provisionRun] } })).map((c) => c.Id),
    ...(await docker.listImages({ all: true, filters: { label: [labels.provisionRun] } })).map((i) => i.Id),
  ];
  const names = (entries: LayerEntry[]) => entries.map((e) => e.name).sort();
  const sourceConfig = async (ref: string) => (await docker.getImage(ref).inspect()).Config;

  before(async () => {
    await docker.ping();
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
    distro = await loadDistro(realDistroDir);
    const targets = await ensureSmokeTargets(client, distro, new AbortController().signal);
    busybox = targets[0]?.image ?? '';
    empty = targets[1]?.image ?? '';
    nonroot = tag('nonroot-base');
    made.add(nonroot);
    await buildImage(docker, nonroot, NONROOT_DOCKERFILE(busybox));
  });

  after(() => made.removeAll());

  afterEach(async () => {
    expect(await leftovers(), 'containers or images of a run left behind').to.deep.equal([]);
  });

  it('demo: the website example in scratch + static busybox, one clean layer, base layers and config kept, provenance labels', async () => {
    const demo = await runCli(realDistroDir, 'demo');
    expect(demo.code, demo.text).to.equal(0);
    const out = demo.stdout.join('\n');
    expect(out).to.contain('the home page says: Provisioned by dappdeps');
    expect(out).to.contain('under /.dapp the result holds 0 entries');
    expect(out).to.contain(`Cmd kept: null (${busybox}: null;`);
    const ref = `${distro.settings.repository}/demo:latest`;
    const layers = await savedLayers(ref);
    const source = await savedLayers(busybox);
    expect(layers.layers.length).to.equal(source.layers.length + 1);
    expect(layers.config.rootfs.diff_ids.slice(0, -1)).to.deep.equal(source.config.rootfs.diff_ids);
    const top = layers.layers.at(-1) ?? [];
    expect(top.filter((e) => e.name === '.dapp' || e.name.startsWith('.dapp/'))).to.deep.equal([]);
    expect(top.filter((e) => /(^|\/)\.?ansible/.test(e.name))).to.deep.equal([]);
    expect(names(top)).to.include.members([
      'srv/www/index.html',
      'srv/www/assets/style.css',
      'srv/www/news/news.md',
      'srv/www/MANIFEST',
    ]);
    expect(top.find((e) => e.name === 'srv/www/index.html')?.body).to.contain('<h1>Provisioned by dappdeps</h1>');
    expect(top.find((e) => e.name === 'etc/httpd.conf')?.body).to.equal('H:/srv/www\n');
    expect(
      top.find((e) => e.name === 'tmp'),
      'a /tmp only the run needed',
    ).to.equal(undefined);
    const { Labels, ...config } = layers.config.config as { Labels: Record<string, string> };
    const { Labels: sourceLabels, ...expected } = await sourceConfig(busybox);
    expect(config).to.deep.equal(expected);
    expect(Labels).to.include(sourceLabels ?? {});
    expect(Labels[labels.provisionFrom]).to.equal(busybox);
    expect(Labels[labels.provisionAnsible]).to.match(/^2\.14\./);
    expect(Labels[labels.provisionDeps]).to.contain('dappdeps/ansible:');
  });

  it('keeps modes exactly and records deletions as whiteouts', async () => {
    const { top } = await provision(fixture('modes'), busybox);
    expect(top.find((e) => e.name === 'opt/tool')?.mode).to.equal(0o2750);
    expect(top.find((e) => e.name === 'opt/tool/run')?.mode).to.equal(0o4755);
    expect(names(top)).to.include('bin/.wh.wget');
  });

  it('works in an empty scratch image: the layer holds exactly what the playbook made', async () => {
    const { top } = await provision(fixture('empty'), empty, { extraVars: ['{"greeting": "hi from nothing"}'] });
    expect(names(top)).to.deep.equal(['srv', 'srv/hello.txt']);
    expect(top.find((e) => e.name === 'srv/hello.txt')?.body).to.equal('hi from nothing\n');
  });

  it("works as a non-root USER without a writable /tmp, and keeps that image's whole config", async () => {
    const { top, layers } = await provision(fixture('nonroot'), nonroot, {
      changes: { labels: { stage: 'test' }, env: ['APP=2'] },
    });
    // home: the parent of what changed, as in any layer; no /data (the mount point of the image's VOLUME)
    expect(names(top)).to.deep.equal(['home', 'home/app', 'home/app/hello.txt']);
    expect(top.find((e) => e.name === 'home/app/hello.txt')).to.include({ uid: 1000, mode: 0o640 });
    const { Labels, Env, ...config } = layers.config.config as { Labels: Record<string, string>; Env: string[] };
    const { Labels: sourceLabels, Env: sourceEnv, ...expected } = await sourceConfig(nonroot);
    expect(config).to.deep.equal(expected); // User, WorkingDir, Cmd, Entrypoint, ports, volumes, signal, healthcheck
    expect(Env).to.deep.equal((sourceEnv ?? []).map((e) => (e.startsWith('APP=') ? 'APP=2' : e)));
    expect(Labels).to.include({ ...sourceLabels, stage: 'test' });
  });

  it('fails a failing task with exit 1 and Ansible output, tags nothing, leaves nothing', async () => {
    const to = tag('fail');
    const run = await runCli(realDistroDir, 'provision', fixture('fail'), '--from', busybox, '--tag', to);
    expect(run.code, run.text).to.equal(1);
    expect(run.text).to.contain('this task fails');
    expect(run.text).to.match(/the playbook failed \(ansible-playbook exited 2\); no image was tagged/);
    expect(await client.images.inspect(to)).to.equal(undefined);
  });

  it('--keep-failed keeps the container and says how to look inside', async () => {
    const run = await runCli(
      realDistroDir,
      'provision',
      fixture('fail'),
      '--from',
      busybox,
      '--tag',
      tag('kept'),
      '--keep-failed',
    );
    expect(run.code, run.text).to.equal(1);
    const name = /Kept the container (\S+):/.exec(run.text)?.[1] ?? '';
    expect(run.text).to.contain(`docker diff ${name}`);
    const kept = await docker.getContainer(name).inspect();
    await docker.getContainer(name).remove({ v: true });
    expect(kept.State.ExitCode).to.equal(2);
  });

  it('refuses bad input with exit 2 before any container exists', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-provision-bad-'));
    try {
      await writeFile(path.join(dir, 'bad.yml'), '- hosts: [\n');
      for (const [playbook, message] of [
        [path.join(dir, 'missing.yml'), /does not exist/],
        [path.join(dir, 'bad.yml'), /bad\.yml:\d+:\d+: not valid YAML/],
      ] as const) {
        const run = await runCli(realDistroDir, 'provision', playbook, '--from', busybox, '--tag', tag('bad'));
        expect(run.code, run.text).to.equal(2);
        expect(run.text).to.match(message);
      }
      const missing = await runCli(
        realDistroDir,
        'provision',
        fixture('empty'),
        '--from',
        'debian:nosuch',
        '--tag',
        tag('x'),
      );
      expect(missing.code, missing.text).to.equal(2);
      // pulled first (--pull missing); no registry has it, and the mirror has no such suite: no bootstrap hint
      expect(missing.text).to.match(/image debian:nosuch does not exist, and pulling it failed/);
      expect(missing.text).not.to.contain('dappdeps bootstrap');
      const suite = await runCli(
        realDistroDir,
        'provision',
        fixture('empty'),
        '--from',
        'debian:forky',
        '--tag',
        tag('x'),
        '--pull',
        'never',
      );
      expect(suite.code, suite.text).to.equal(2);
      expect(suite.text).to.contain('dappdeps bootstrap debian:forky');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('two provisions to different tags at once do not interfere', async () => {
    const [a, b] = await Promise.all([
      provision(fixture('empty'), empty, { extraVars: ['greeting=a'] }),
      provision(fixture('empty'), empty, { extraVars: ['greeting=b'] }),
    ]);
    expect(a.top.find((e) => e.name === 'srv/hello.txt')?.body).to.equal('a\n');
    expect(b.top.find((e) => e.name === 'srv/hello.txt')?.body).to.equal('b\n');
  });

  it('Ctrl-C during the playbook removes the container and exits 130', async () => {
    const to = tag('slow');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repoRoot, 'bin/dappdeps.js'),
        'provision',
        fixture('slow'),
        '--from',
        busybox,
        '--tag',
        to,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('TASK [waiting to be interrupted]')) resolve();
      });
      child.on('close', () => resolve());
    });
    child.kill('SIGINT');
    expect(await exited, text).to.equal(130);
    expect(await client.images.inspect(to)).to.equal(undefined);
  });

  it('become_user with sudo in debian:bookworm (no sudo there): the file is the user’s, nothing in /var/tmp', async () => {
    const { top } = await provision(fixture('become'), distro.settings.binary.baseImage, { network: 'none' });
    expect(top.find((e) => e.name === 'srv/shared/by-nobody.txt')?.uid).to.equal(65534);
    expect(names(top).filter((n) => /^var\/tmp|sudo/.test(n))).to.deep.equal([]);
  });

  it("chooses the Ansible for the target's release from its os-release, says why, and labels the result", async () => {
    const debian = distro.settings.binary.baseImage;
    const { run, layers } = await provisionCli(
      fixture('empty'),
      debian,
      made.add(tag('choice')),
      '--network',
      'none',
      '-e',
      'greeting=hi',
    );
    expect(run.text).to.match(
      /Ansible 2\.14\.\d+ \(Debian bookworm's\): the target is Debian GNU\/Linux 12 \(bookworm\)/,
    );
    const { Labels } = layers.config.config as { Labels: Record<string, string> };
    expect(Labels[labels.provisionAnsibleChoice]).to.match(/^2\.14\.\d+ \(bookworm\): the target is Debian/);
    expect(Labels[labels.provisionFromOsRelease]).to.contain('VERSION_CODENAME=bookworm');
    // a target without os-release: the newest Ansible built on this engine (bookworm's in CI, which builds only it)
    const bare = await provisionCli(
      fixture('empty'),
      empty,
      made.add(tag('choice-bare')),
      '--network',
      'none',
      '-e',
      'greeting=hi',
    );
    expect(bare.run.text).to.match(/Ansible 2\.\d+\.\d+ \(Debian \w+'s\): the target has no apt: the newest Ansible/);
    const unknown = await runCli(
      realDistroDir,
      'provision',
      fixture('empty'),
      '--from',
      empty,
      '--tag',
      tag('x'),
      '--ansible',
      '1.9',
    );
    expect(unknown.code, unknown.text).to.equal(2);
    expect(unknown.text).to.match(/--ansible 1\.9: no such Ansible in the distro; available: 2\.\d+ /);
  });

  it('apt task in debian:bookworm: the package and its dpkg records, no Python, no package lists', async () => {
    const { top: layer, result } = await provision(fixture('apt'), distro.settings.binary.baseImage, {
      network: 'host',
    });
    const top = names(layer);
    expect(top).to.include.members(['usr/bin/tree', 'var/lib/dpkg/info/tree.list']);
    // update_cache fetched ~33 MB of lists and apt wrote ~78 MB of caches: left as the image had them
    expect(
      top.filter((n) => /^var\/(lib\/apt\/lists|cache\/apt)(\/|$)/.test(n)),
      'package caches in the layer',
    ).to.deep.equal([]);
    expect(result.layer?.bytes).to.be.below(2e6);
    expect(
      top.filter((n) => /python/.test(n)),
      'Python installed into the target',
    ).to.deep.equal([]);
    const status = layer.find((e) => e.name === 'var/lib/dpkg/status')?.body ?? '';
    expect(status).to.match(/^Package: tree$/m);
  });
});

const NONROOT_DOCKERFILE = (from: string) => `FROM ${from}
RUN ["/bin/busybox", "sh", "-c", "mkdir -p /home/app /tmp && chown 1000:1000 /home/app && chmod 0755 /tmp"]
USER 1000:1000
WORKDIR /home/app
ENV APP=1 HOME=/home/app
EXPOSE 8080
VOLUME /data
STOPSIGNAL SIGQUIT
HEALTHCHECK CMD ["/bin/true"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["exec httpd -f"]
LABEL test=provision
`;

async function buildImage(docker: Docker, tagName: string, dockerfile: string): Promise<void> {
  const pack = tarStream.pack();
  pack.entry({ name: 'Dockerfile' }, dockerfile);
  pack.finalize();
  const stream = await docker.buildImage(Readable.from(pack), {
    t: tagName,
    networkmode: 'none',
    rm: true,
    forcerm: true,
  });
  const events = (await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err, res) => (err ? reject(err) : resolve(res))),
  )) as Array<{ error?: string }>;
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(`building ${tagName} failed: ${failed.error}`);
}
