import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { ensureVolumes } from '../../src/volumes/volume-containers.js';
import { createDockerClient } from '../../src/docker/docker-client.js';
import { findImage, loadDistro } from '../../src/manifest/load-distro.js';
import { expect } from '../support/expect.js';
import { realDistroDir } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

/**
 * What the ansible image gives tasks in debian:bookworm (no network, no Python): the target's own /bin/sh,
 * the target's environment, the prefixes' tools by name, its own apt bindings, ssh-keygen, become with su,
 * and community.general's modules.
 */
describe('the ansible image in debian:bookworm', function () {
  this.timeout(1_800_000);
  let output = '';
  let code = -1;

  // One container runs every check, each as an ad-hoc task printing a marker line with its result.
  const script = (a: string) =>
    [
      `A=${a}/bin/ansible`,
      'run() { label=$1; shift; "$A" localhost -c local "$@" > /tmp/out 2>&1; echo "== $label exit $?"; cat /tmp/out; }',
      `run apk -m apk -a 'name=nginx,tree update_cache=yes'`,
      `run shell -m shell -a 'readlink /proc/$$/exe'`,
      `run env -m command -a env`,
      `run apt -m apt -a 'name=dash state=present'`,
      `run user -m user -a 'name=ddtest shell=/bin/sh generate_ssh_key=yes'`,
      `run become -m command -a id --become --become-method su --become-user ddtest`,
      `run facts -m setup -a 'gather_subset=!all,!min,selinux'`,
      // what the target has after all that: no Python, no python3-apt
      'echo "== residue"; ls /usr/bin/python3* /usr/lib/python3/dist-packages 2>&1; dpkg -l "python3*" 2>&1 | tail -n +6',
    ].join('\n');

  /** The output of one check: from its marker to the next. */
  const section = (label: string): string => {
    const start = output.search(new RegExp(`== ${label}( exit |\\n)`));
    expect(start, `no ${label} section in:\n${output}`).to.be.at.least(0);
    const next = output.indexOf('\n== ', start + 1);
    return output.slice(start, next < 0 ? undefined : next);
  };

  before(async () => {
    await new Docker().ping();
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
    const distro = await loadDistro(realDistroDir);
    const ansible = findImage(distro, 'ansible');
    const docker = createDockerClient();
    const volumes = await ensureVolumes(docker, distro, distro.index.withRunDeps([ansible]), 'binary');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    code = await docker.containers.run({
      image: distro.settings.binary.baseImage,
      cmd: ['/bin/sh', '-c', script(ansible.prefix)],
      volumesFrom: volumes.map((v) => v.container),
      stdout: out,
      stderr: out,
    });
    output = Buffer.concat(chunks).toString('utf8');
  });

  it('runs the script to its end', () => {
    expect(code, output).to.equal(0);
    expect(output).to.contain('== residue');
  });

  it("loads the seed's apk module, which fails only because the image has no apk", () => {
    const apk = section('apk');
    expect(apk).to.contain('exit 2');
    // the module's JSON result escapes the quotes: Failed to find required executable \"apk\"
    expect(apk).to.match(/Failed to find required executable \\?"?apk\b/);
    expect(apk).not.to.contain('could not be loaded');
  });

  it("runs shell tasks with the target's own /bin/sh", () => {
    expect(section('shell')).to.match(/\n\/usr\/bin\/dash$/m);
  });

  it("gives commands the target's environment, with git's bin folder appended to PATH (coreutils are the target's)", () => {
    const env = section('env');
    expect(env).to.contain('exit 0');
    for (const name of ['LOCPATH', 'LC_ALL', 'OPENSSL_MODULES', 'SSL_CERT_FILE', 'TMPDIR', 'ANSIBLE_', 'DAPPDEPS_']) {
      expect(env).not.to.match(new RegExp(`^${name}`, 'm'));
    }
    expect(env).to.match(/^PATH=\/usr\/local\/sbin:.*:\/bin:\/\.dapp\/deps\/git\/[^:]+\/bin$/m);
  });

  it('runs apt tasks with its own bindings, installing no Python into the target', () => {
    // without its bindings the module would install python3-apt, and fail here (no network)
    expect(section('apt')).to.contain('exit 0');
    expect(section('apt')).to.contain('SUCCESS');
    const residue = section('residue');
    expect(residue).to.contain('No such file or directory');
    expect(residue).not.to.match(/^ii\s+python3/m);
  });

  it('creates a user with an ssh key (ssh-keygen from the prefix) and becomes it with su', () => {
    expect(section('user')).to.contain('exit 0');
    expect(section('user')).to.contain('ssh_public_key');
    expect(section('become')).to.match(/uid=\d+\(ddtest\)/);
  });

  it('finds the selinux library for facts', () => {
    expect(section('facts')).to.contain('"status": "disabled"');
    expect(section('facts')).not.to.contain('Missing selinux Python library');
  });
});
