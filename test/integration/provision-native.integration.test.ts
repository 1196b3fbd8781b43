import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import tarStream from 'tar-stream';
import { createDockerClient } from '../../src/docker/docker-client.js';
import { loadDistro } from '../../src/manifest/load-distro.js';
import type { Distro } from '../../src/manifest/model.js';
import { expect } from '../support/expect.js';
import { fixturesDir, realDistroDir } from '../support/paths.js';
import { MadeImages, provisionCli, provisionRead } from '../support/provisioned.js';
import { runCli } from '../support/run-cli.js';

const NATIVE = 'dappdeps-test-native/bookworm-ansible-core:1';

/**
 * Facts that differ between a relocated run and a native one in the same image (Debian's ansible-core
 * installed into debian:bookworm, run from a shell as PID 1), each with its reason. Any other difference fails.
 */
const EXPLAINED: Record<string, string> = {
  date_time: 'the runs happen at different times',
  env: "the run's environment: TMPDIR and ANSIBLE_* point at the run's tmpfs, PATH and HOME as each run set them",
  python: "the modules' Python: the prefix's /.dapp/deps/ansible/…/bin/python3, not /usr/bin/python3",
  python_version: 'the prefix Python may be another patch release than the image’s',
  selinux_python_present: "the prefix has SELinux's bindings; the image's Python has none",
  mounts: 'the run mounts the dappdeps prefixes and its tmpfs',
  hostname: 'each container has its own name',
  nodename: 'each container has its own name',
  fqdn: 'each container has its own name',
  domain: 'each container has its own name',
  machine_id: 'each container has its own',
  memfree_mb: 'measured at different times',
  memory_mb: 'measured at different times',
  uptime_seconds: 'measured at different times',
  loadavg: 'measured at different times',
  swapfree_mb: 'measured at different times',
  cmdline: 'the same kernel, read at different times (unchanged in practice)',
  proc_cmdline: 'as cmdline',
  processor_nproc: 'the CPUs the run may use at that moment',
  discovered_interpreter_python:
    'the native run discovers /usr/bin/python3; the relocated run names its interpreter (the prefix’s), so discovers none',
  ansible_local: 'no local facts either way (listed for completeness when a run makes /etc/ansible)',
};

/** The native run: the playbook in the image with Debian's ansible-core, `bash` as PID 1 as in a CI job. */
async function nativeFacts(docker: Docker, playbook: string): Promise<Record<string, unknown>> {
  const pack = tarStream.pack();
  pack.entry({ name: 'p/site.yml', mode: 0o644 }, await readFile(playbook));
  pack.finalize();
  const container = await docker.createContainer({
    Image: NATIVE,
    Cmd: ['bash', '-c', 'ansible-playbook -i localhost, -c local /p/site.yml; status=$?; exit $status'],
    HostConfig: { NetworkMode: 'host' },
  });
  try {
    await container.putArchive(Readable.from(pack), { path: '/' });
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true })).toString();
    expect(StatusCode, logs).to.equal(0);
    const archive = (await container.getArchive({ path: '/srv/facts.json' })) as unknown as Readable;
    const extract = tarStream.extract();
    archive.pipe(extract);
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
    }
    throw new Error('no facts from the native run');
  } finally {
    await container.remove({ force: true });
  }
}

describe('provision against a native Ansible in the same image (debian:bookworm)', function () {
  this.timeout(1_800_000);
  const docker = new Docker();
  const client = createDockerClient();
  const made = new MadeImages(docker);
  let distro: Distro;
  const tag = (name: string) => made.add(`dappdeps-test-native/${name}-${randomBytes(3).toString('hex')}:1`);

  before(async () => {
    await docker.ping();
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
    distro = await loadDistro(realDistroDir);
    if (
      !(await docker
        .getImage(NATIVE)
        .inspect()
        .catch(() => undefined))
    ) {
      const container = await docker.createContainer({
        Image: distro.settings.binary.baseImage,
        Cmd: [
          'bash',
          '-c',
          'apt-get update -qq && apt-get install -y -qq --no-install-recommends ansible-core >/dev/null',
        ],
        HostConfig: { NetworkMode: 'host' },
      });
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      expect(StatusCode, (await container.logs({ stdout: true, stderr: true })).toString()).to.equal(0);
      const [repo, version] = NATIVE.split(':');
      await container.commit({ repo, tag: version });
      await container.remove();
    }
  });

  after(() => made.removeAll());

  it('gathers the facts a native run gathers, ansible_service_mgr included; every difference left has its reason', async () => {
    const playbook = path.join(fixturesDir, 'provision/facts/site.yml');
    const { top } = await provisionRead(client, distro, {
      playbook,
      from: NATIVE,
      tag: tag('facts'),
      network: 'host',
      noCache: true,
    });
    const ours = JSON.parse(top.find((e) => e.name === 'srv/facts.json')?.body ?? '{}') as Record<string, unknown>;
    const native = await nativeFacts(docker, playbook);
    expect(ours.service_mgr).to.equal(native.service_mgr);
    expect(ours.service_mgr).to.equal('sysvinit');
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(native)])].sort();
    // virtualization_tech_guest and _host are sets Ansible lists in no fixed order
    const same = (k: string) => JSON.stringify(asSet(ours[k])) === JSON.stringify(asSet(native[k]));
    const differing = keys.filter((k) => !same(k));
    const unexplained = differing.filter((k) => !(k in EXPLAINED));
    for (const k of differing) console.log(`      ${k}: ${EXPLAINED[k] ?? 'UNEXPLAINED'}`);
    expect(
      Object.fromEntries(unexplained.map((k) => [k, { ours: ours[k], native: native[k] }])),
      'facts that differ without a reason',
    ).to.deep.equal({});
  });

  it('--python target: a module importing what the play installed runs with the image’s own Python', async () => {
    const { top } = await provisionCli(
      path.join(fixturesDir, 'provision/python-target/site.yml'),
      distro.settings.binary.baseImage,
      tag('python-target'),
      '--network',
      'host',
      '--python',
      'target',
      '--no-cache',
    );
    expect(top.find((e) => e.name === 'srv/config.xml')?.body).to.contain('<port>8080</port>');
    // The residue, said plainly: the image's Python is what the play installed (python3-lxml pulls it in).
    expect(top.map((e) => e.name)).to.include('usr/bin/python3.11');
  });
});

function asSet(value: unknown): unknown {
  return Array.isArray(value) ? [...(value as unknown[])].map(String).sort() : value;
}
