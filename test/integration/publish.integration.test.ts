import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import tarStream from 'tar-stream';
import { pipeline } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { expect } from '../support/expect.js';
import { fixturesDir, realDistroDir } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { captureOutput } from '../support/capture-output.js';
import { main } from '../../src/cli/main.js';
import { startEngine, startRegistry } from '../support/test-services.js';
import { setEnv, withEnv } from '../support/env.js';

const exec = promisify(execFile);
const sh = async (cmd: string, ...args: string[]) => (await exec(cmd, args, { maxBuffer: 64 << 20 })).stdout;

/**
 * The whole trip on a real engine and a real registry (Debian's docker-registry on 127.0.0.1): build ansible,
 * push it with its run-time closure, remove the local images, pull them (audited), volumes, provision; save,
 * load on a second engine that has no images, verify there; and exports to OCI (read by skopeo), docker (read
 * by docker load) and ext4 (e2fsck, debugfs) of a committed Debian image and of the image the trip provisioned.
 * Everything runs under a repository of its own, so the shared dappdeps/* images are never touched.
 */
describe('publish and carry: registry, bundles and exports', function () {
  this.timeout(1_800_000);
  const docker = new Docker();
  const id = randomBytes(3).toString('hex');
  const repository = `wtpublish-${id}`;
  let tmp: string;
  let distroDir: string;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  const cli = (command: string, ...args: string[]) => runCli(distroDir, command, ...args);
  /** `load` reads no distro. */
  const load = async (file: string) => {
    const output = captureOutput();
    const code = await main(['load', file], output);
    return { code, stdout: output.stdout, text: [...output.stdout, ...output.stderr].join('\n') };
  };
  const tag = (name: string, version: string) => `${repository}/${name}:${version}`;
  /** Made by the registry trip's provision, exported by the ext4 test. */
  const provisioned = `${repository}/provisioned:1`;
  const exists = async (ref: string) =>
    docker
      .getImage(ref)
      .inspect()
      .then(() => true)
      .catch(() => false);

  /** A copy of the real distro under `repo`, volume containers prefixed the same. */
  async function distroCopy(repo: string): Promise<string> {
    const dir = path.join(tmp, repo);
    await fs.cp(realDistroDir, dir, { recursive: true });
    const file = path.join(dir, 'distro.yaml');
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(
      file,
      text.replace(/^repository: .*$/m, `repository: ${repo}`).replace(/^volumePrefix: .*$/m, `volumePrefix: ${repo}-`),
    );
    return dir;
  }

  before(async () => {
    await docker.ping(); // no engine: fail here, loudly, never skip
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dappdeps-publish-'));
    distroDir = await distroCopy(repository);
    registry = await startRegistry(path.join(tmp, 'registry'));
    // Docker's layer cache makes this quick when the real distro was built on this engine.
    const built = await cli('build', '--suite', 'bookworm', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
  });

  after(async () => {
    await cli('volumes', 'ansible', '--rm');
    await registry?.stop();
    const images = await docker.listImages();
    for (const image of images)
      for (const ref of image.RepoTags ?? [])
        if (ref.includes(`wtpublish-${id}`))
          await docker
            .getImage(ref)
            .remove({ force: true })
            .catch(() => undefined);
    await fs.rm(tmp, { recursive: true, force: true });
  });

  describe('through a registry', () => {
    const trip = ['ansible:2.14.18-1', 'git:2.39.5-1', 'base:5.2.15-1'];

    it('pushes ansible with its run-time closure, printing each digest', async () => {
      const pushed = await cli('push', 'ansible', '--with-deps', '--registry', registry.address);
      expect(pushed.code, pushed.text).to.equal(0);
      for (const image of trip) {
        const escaped = image.replace(/\./g, '\\.');
        expect(pushed.stdout.join('\n')).to.match(
          new RegExp(`^${registry.address}/${repository}/${escaped} sha256:[0-9a-f]{64}$`, 'm'),
        );
        expect(
          await exists(`${registry.address}/${repository}/${image}`),
          'the registry name is removed again',
        ).to.equal(false);
      }
    });

    it('pulls them back after the local images are removed (registry from DAPPDEPS_REGISTRY); volumes and provision work', async () => {
      for (const image of trip) await docker.getImage(`${repository}/${image}`).remove();
      const pulled = await withEnv({ DAPPDEPS_REGISTRY: registry.address }, () => cli('pull', 'ansible'));
      expect(pulled.code, pulled.text).to.equal(0);
      for (const image of trip)
        expect(pulled.stdout.join('\n')).to.match(
          new RegExp(`${image.replace(/\./g, '\\.')}: pulled from .*, audit \\d+ files, \\d+ ELF checked: ok`),
        );
      for (const image of trip) expect(await exists(`${repository}/${image}`), image).to.equal(true);
      const volumes = await cli('volumes', 'ansible');
      expect(volumes.code, volumes.text).to.equal(0);
      const made = await cli(
        'provision',
        path.join(fixturesDir, 'publish/provision-site.yml'),
        '--from',
        'debian:bookworm',
        '--tag',
        provisioned,
      );
      expect(made.code, made.text).to.equal(0);
      const ran = await sh('docker', 'run', '--rm', '--network', 'none', provisioned, '/opt/tool/run');
      expect(ran).to.equal('tool\n');
      const removed = await cli('volumes', 'ansible', '--rm'); // frees the images for the tests below
      expect(removed.code, removed.text).to.equal(0);
    });

    it('refuses a pulled image that fails the audit, and tags nothing', async () => {
      const bad = `${repository}-bad`;
      const badDistro = await distroCopy(bad);
      // A "base" holding a file outside its prefix and no tools: the registry serves whatever was pushed.
      const root = path.join(tmp, 'bad-root');
      await fs.mkdir(path.join(root, '.dapp/deps/base/5.2.15-1'), { recursive: true });
      await fs.mkdir(path.join(root, 'etc'));
      await fs.writeFile(path.join(root, 'etc/evil'), 'outside the prefix\n');
      const ref = `${registry.address}/${bad}/base:5.2.15-1`;
      await sh(
        'bash',
        '-c',
        `tar -C ${root} -c . | docker import - ${ref} && docker push ${ref} >/dev/null && docker rmi ${ref} >/dev/null`,
      );
      const pulled = await runCli(badDistro, 'pull', 'base', '--registry', registry.address);
      expect(pulled.code, pulled.text).to.equal(1);
      expect(pulled.text).to.contain('refused').and.to.contain('/etc/evil');
      expect(await exists(`${bad}/base:5.2.15-1`)).to.equal(false);
      expect(await exists(ref)).to.equal(false);
    });

    it('an unreachable registry, a missing tag, an image not built: exit 1 with the reason, nothing tagged', async () => {
      const unreachable = await cli('pull', 'base', '--registry', '127.0.0.1:1');
      expect(unreachable.code).to.equal(1);
      expect(unreachable.text).to.match(/pull (of )?127\.0\.0\.1:1\/\S*base:5\.2\.15-1 failed: .*connection refused/);
      const empty = await distroCopy(`${repository}-empty`); // nothing built or pushed under this name
      const missing = await runCli(empty, 'pull', 'git', '--registry', registry.address);
      expect(missing.code).to.equal(1);
      expect(missing.text).to.match(/pull (of )?\S+\/git:2\.39\.5-1 failed: .*not found/);
      expect(await exists(`${repository}-empty/git:2.39.5-1`)).to.equal(false);
      const notBuilt = await runCli(empty, 'push', 'git', '--registry', registry.address);
      expect(notBuilt.code).to.equal(1);
      expect(notBuilt.text).to.contain('not built');
    });
  });

  describe('through a file', () => {
    let bundle: string;

    it('saves one archive that plain docker load accepts', async () => {
      bundle = path.join(tmp, 'bundle.tar');
      const saved = await cli('save', 'base', '--out', bundle);
      expect(saved.code, saved.text).to.equal(0);
      const loaded = await sh('docker', 'load', '-i', bundle);
      expect(loaded).to.contain(tag('base', '5.2.15-1'));
    });

    it('refuses a tampered archive before loading anything from it', async () => {
      await docker.getImage(tag('base', '5.2.15-1')).remove();
      const tampered = path.join(tmp, 'tampered.tar');
      await flipOneByteOfLargestMember(bundle, tampered);
      const loaded = await load(tampered);
      expect(loaded.code).to.equal(1);
      expect(loaded.text).to.match(/does not match its checksums; nothing was loaded:\n {2}\S+: checksum sha256:/);
      expect(await exists(tag('base', '5.2.15-1'))).to.equal(false);
    });

    it('loads the intact archive on a second engine that has no images at all, and verify passes there', async () => {
      const engine = await startEngine(path.join(tmp, 'engine'));
      const restoreEnv = setEnv({ DOCKER_HOST: engine.address });
      try {
        const before = await sh('docker', 'images', '-q');
        expect(before, 'the second engine starts empty').to.equal('');
        const loaded = await load(bundle);
        expect(loaded.code, loaded.text).to.equal(0);
        expect(loaded.stdout.join('\n')).to.contain(`${tag('base', '5.2.15-1')} sha256:`);
        const verified = await cli('verify', 'base', '--suite', 'bookworm', '--no-smoke');
        expect(verified.code, verified.text).to.equal(0);
      } finally {
        restoreEnv();
        await engine.stop();
      }
    });
  });

  describe('exports of any image', () => {
    const image = `${repository}/committed:1`;
    before(async () => {
      // Not a distro image: debian:bookworm with a setuid file added and a file deleted (a whiteout).
      const container = await docker.createContainer({
        Image: 'debian:bookworm',
        Cmd: ['sh', '-c', 'echo carried > /hello && chown 0:42 /hello && chmod 4750 /hello && rm /etc/issue'],
        HostConfig: { NetworkMode: 'none' },
      });
      await container.start();
      await container.wait();
      await container.commit({ repo: `${repository}/committed`, tag: '1' });
      await container.remove();
    });

    it('oci: a layout skopeo inspects', async () => {
      const out = path.join(tmp, 'oci');
      const exported = await cli('export', image, '--format', 'oci', '--out', out);
      expect(exported.code, exported.text).to.equal(0);
      const inspected = JSON.parse(await sh('skopeo', 'inspect', `oci:${out}`)) as { Layers: string[] };
      expect(inspected.Layers).to.have.length(2);
    });

    it('docker: an archive docker load accepts', async () => {
      const out = path.join(tmp, 'image.tar');
      const exported = await cli('export', image, '--format', 'docker', '--out', out);
      expect(exported.code, exported.text).to.equal(0);
      expect(await sh('docker', 'load', '-i', out)).to.contain(image);
    });

    it('ext4: a clean filesystem with whiteouts applied, modes, owners and device nodes kept', async () => {
      const out = path.join(tmp, 'root.ext4');
      const exported = await cli('export', image, '--format', 'ext4', '--out', out, '--free', '8M');
      expect(exported.code, exported.text).to.equal(0);
      await sh('e2fsck', '-fn', out); // rejects on any problem
      const debugfs = (request: string) => sh('debugfs', '-R', request, out);
      expect(await debugfs('cat /hello')).to.equal('carried\n');
      expect(await debugfs('stat /hello'))
        .to.match(/Mode: +04750/)
        .and.to.match(/User: +0 +Group: +42/);
      expect(await debugfs('stat /usr/bin/passwd')).to.match(/Mode: +04755/);
      expect(await debugfs('ls -l /dev')).to.match(/20666 \(3\) +0 +0 +0 .* null/);
      const etc = await debugfs('ls /etc');
      expect(etc).to.match(/\)\s+issue\.net\s/);
      expect(etc, 'the whiteout removed /etc/issue').not.to.match(/\)\s+issue\s/);
      const free = Number(/Free blocks: +(\d+)/.exec(await sh('dumpe2fs', '-h', out))?.[1]) * 4096;
      expect(free).to.be.at.least(8 * 1024 * 1024);
    });

    it('ext4 of the image the trip provisioned: e2fsck-clean, modes kept, nothing of dappdeps', async () => {
      const out = path.join(tmp, 'provisioned.ext4');
      const exported = await cli('export', provisioned, '--format', 'ext4', '--out', out, '--free', '16M');
      expect(exported.code, exported.text).to.equal(0);
      await sh('e2fsck', '-fn', out);
      const debugfs = (request: string) => sh('debugfs', '-R', request, out);
      expect(await debugfs('cat /opt/tool/run')).to.equal('#!/bin/sh\necho tool\n');
      expect(await debugfs('stat /opt/tool/run')).to.match(/Mode: +04755/);
      expect(await debugfs('stat /opt/tool'))
        .to.match(/Mode: +02750/)
        .and.to.match(/Group: +42/);
      expect(await debugfs('ls /etc'), 'the playbook deleted /etc/issue').not.to.match(/\)\s+issue\s/);
      expect(await debugfs('ls /'), 'nothing of dappdeps is left').not.to.match(/\)\s+\.dapp\s/);
    });

    it('bad input: a missing image, a non-empty --out folder, a full disk; exit 1, nothing left behind', async () => {
      const missing = await cli(
        'export',
        `${repository}/nothing:1`,
        '--format',
        'docker',
        '--out',
        path.join(tmp, 'x.tar'),
      );
      expect(missing.code).to.equal(1);
      expect(missing.text).to.contain('does not exist');
      const full = path.join(tmp, 'full');
      await fs.mkdir(full);
      await fs.writeFile(path.join(full, 'keep'), 'x');
      const notEmpty = await cli('export', image, '--format', 'oci', '--out', full);
      expect(notEmpty.code).to.equal(1);
      expect(notEmpty.text).to.contain('is not empty');
      expect(await fs.readdir(full)).to.deep.equal(['keep']);
      const small = path.join(tmp, 'small');
      await fs.mkdir(small);
      await sh('mount', '-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', small);
      try {
        for (const format of ['docker', 'oci', 'ext4']) {
          const out = path.join(small, `out-${format}`);
          const exported = await cli('export', image, '--format', format, '--out', out);
          expect(exported.code, `${format}: ${exported.text}`).to.equal(1);
          expect(exported.text, format).to.contain('no space left on the device while writing');
          expect(await fs.readdir(small), format).to.deep.equal([]);
        }
      } finally {
        await sh('umount', small);
      }
    });
  });
});

/** A copy of `from` with one byte changed in the body of its largest member (a layer). */
async function flipOneByteOfLargestMember(from: string, to: string): Promise<void> {
  let largest = '';
  let size = -1;
  for await (const entry of createReadStream(from).pipe(tarStream.extract())) {
    if ((entry.header.size ?? 0) > size) [largest, size] = [entry.header.name, entry.header.size ?? 0];
    entry.resume();
  }
  const extract = tarStream.extract();
  const pack = tarStream.pack();
  extract.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => {
      const bytes = Buffer.concat(chunks);
      if (header.name === largest) bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0xff, bytes.length >> 1);
      pack.entry(header, bytes, next);
    });
  });
  extract.on('finish', () => pack.finalize());
  await Promise.all([pipeline(createReadStream(from), extract), pipeline(pack, createWriteStream(to))]);
}
