import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import tarStream from 'tar-stream';
import { loadDistro } from '../../src/manifest/load-distro.js';
import { expect } from '../support/expect.js';
import { savedLayers, type LayerEntry } from '../support/image-layers.js';
import { fixturesDir, realDistroDir } from '../support/paths.js';
import { addTree, roleTarball } from '../support/pack-tree.js';
import { layerFiles, MadeImages, provisionCli } from '../support/provisioned.js';
import { runCli } from '../support/run-cli.js';

/** Debian's Ansible as a bookworm user installs it (ansible-core, the collections, jmespath and netaddr). */
const NATIVE = 'dappdeps-test-native/bookworm-ansible:1';
const NATIVE_INSTALL = 'apt-get update -qq && apt-get install -y -qq ansible python3-jmespath python3-netaddr';
const FIXTURE = path.join(fixturesDir, 'provision/real-world');
const EXTRA = 'owner=dba';

/**
 * Files both runs wrote that differ, each with its reason; any other difference fails. The native image already
 * holds Python and Ansible, so what apt installs for python3-psycopg2 lands in the relocated layer only.
 */
const EXPLAINED: Record<string, string> = {
  'etc/ld.so.cache': 'each run installed a different set of libraries (the native image had Python already)',
  'etc/shadow': 'the postgres user’s last-change day is the day of the run',
  'etc/ssl/private/ssl-cert-snakeoil.key': 'ssl-cert makes a new random key in each run',
  'etc/ssl/certs/ssl-cert-snakeoil.pem': 'ssl-cert makes a new random certificate in each run',
};

/** Ansible's PLAY RECAP counts for localhost. */
function recap(log: string): Record<string, number> {
  const line = /^localhost\s+:\s+(.*)$/m.exec(log.replace(/\r/g, ''))?.[1];
  if (!line) throw new Error(`no PLAY RECAP in:\n${log}`);
  return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

const compared = (e: LayerEntry) => e.type === 'file' && /^(etc|srv)\//.test(e.name);

/**
 * A project shaped like real ones (a role from requirements.yml, ansible.utils' ipaddr, json_query, a branch on
 * the service manager, community.postgresql's modules against a PostgreSQL the play installs), provisioned into
 * debian:bookworm and run natively in the same image with Debian's Ansible; outcomes and files compared.
 */
describe('a real-world-shaped project: provision against native Ansible in debian:bookworm', function () {
  this.timeout(1_800_000);
  const docker = new Docker();
  const made = new MadeImages(docker);
  let project: string;
  let base: string;

  /** The project as the native run gets it: Galaxy installs the role, then the playbook runs; committed. */
  const native = async (): Promise<{ log: string; top: LayerEntry[] }> => {
    const pack = tarStream.pack();
    await addTree(pack, project, 'p');
    pack.finalize();
    const container = await docker.createContainer({
      Image: NATIVE,
      Cmd: [
        'bash',
        '-c',
        // `; exit`: bash stays PID 1 (it would exec a last simple command), as in a CI job's container
        `cd /p && ansible-galaxy role install -r requirements.yml -p roles && ansible-playbook -i localhost, -c local site.yml -e ${EXTRA}; status=$?; exit $status`,
      ],
      // A terminal: the log is one stream, not the multiplexed frames of stdout and stderr
      Tty: true,
      Env: ['ANSIBLE_NOCOLOR=1'],
      HostConfig: { NetworkMode: 'host' },
    });
    try {
      await container.putArchive(Readable.from(pack), { path: '/' });
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const log = (await container.logs({ stdout: true, stderr: true })).toString();
      expect(StatusCode, log).to.equal(0);
      const image = made.add(`dappdeps-test-real-world/native-${randomBytes(3).toString('hex')}:1`);
      const [repo, tag] = image.split(':');
      await container.commit({ repo, tag });
      return { log, top: (await savedLayers(image)).layers.at(-1) ?? [] };
    } finally {
      await container.remove({ force: true });
    }
  };

  before(async () => {
    await docker.ping();
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
    base = (await loadDistro(realDistroDir)).settings.binary.baseImage;
    const have = await docker
      .getImage(NATIVE)
      .inspect()
      .catch(() => undefined);
    if (!have) {
      const container = await docker.createContainer({
        Image: base,
        Cmd: ['bash', '-c', `${NATIVE_INSTALL} >/dev/null && apt-get clean`],
        HostConfig: { NetworkMode: 'host' },
      });
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      expect(StatusCode, (await container.logs({ stdout: true, stderr: true })).toString()).to.equal(0);
      const [repo, tag] = NATIVE.split(':');
      await container.commit({ repo, tag });
      await container.remove();
    }
    project = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-real-world-'));
    await cp(FIXTURE, project, { recursive: true });
    const role = await roleTarball(path.join(FIXTURE, 'vendor/motd_role'), 'motd_role');
    await writeFile(path.join(project, 'vendor/motd_role.tar.gz'), role);
  });

  after(async () => {
    await made.removeAll();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('the same task outcomes and the same files as the native run; one clean layer without Python or Ansible', async () => {
    const ours = await provisionCli(
      path.join(project, 'site.yml'),
      base,
      made.add(`dappdeps-test-real-world/dd-${randomBytes(3).toString('hex')}:1`),
      '--network',
      'host',
      '--no-cache',
      '-e',
      EXTRA,
    );
    const theirs = await native();
    const log = ours.log.join('\n');
    expect(recap(log), log).to.deep.equal(recap(theirs.log));
    expect(recap(log)).to.include({ failed: 0, unreachable: 0 });

    const files = layerFiles(ours.top);
    expect(JSON.parse(files['srv/rw/filters.json'] ?? '{}')).to.deep.equal({
      private: ['10.1.2.3/24', 'fe80::1/64', '172.16.0.9/12'], // netaddr counts link-local as private
      public: ['192.0.2.7', '8.8.8.8'],
      networks: ['10.1.2.0/24', '192.0.2.7/32', '8.8.8.8/32', 'fe80::/64', '172.16.0.0/12'],
      in_10: ['10.1.2.3/24'],
      private_ports: [5432, 6379],
      names: ['web', 'db', 'cache'],
    });
    expect(files['srv/rw/service-manager.txt']).to.equal('sysvinit\n');
    expect(files).not.to.have.property('srv/rw/systemd.txt');
    expect(files['srv/rw/motd-handler.txt']).to.equal('the handler ran\n');
    expect(files['etc/motd']).to.equal('1. provisioned\n2. managed by ansible\nowner: dba on Debian 12\n');
    expect(JSON.parse(files['srv/rw/db.json'] ?? '{}')).to.deep.equal({
      rows: [
        { k: 'greeting', v: 'hello' },
        { k: 'owner', v: 'dba' },
      ],
      databases: ['app', 'postgres'],
      app_role: true,
    });

    const nativeFiles = layerFiles(theirs.top);
    const ourNames = ours.top.filter(compared).map((e) => e.name);
    const theirNames = theirs.top.filter(compared).map((e) => e.name);
    expect(ourNames.filter((n) => n.startsWith('srv/'))).to.deep.equal(theirNames.filter((n) => n.startsWith('srv/')));
    const differing = ourNames.filter((n) => n in nativeFiles && nativeFiles[n] !== files[n]);
    for (const n of differing) console.log(`      ${n}: ${EXPLAINED[n] ?? 'UNEXPLAINED'}`);
    expect(differing.filter((n) => !(n in EXPLAINED))).to.deep.equal([]);

    const names = ours.top.map((e) => e.name);
    expect(names.filter((n) => /^\.dapp|(^|\/)\.?ansible(\/|$)|^root\/\.ansible/.test(n))).to.deep.equal([]);
    expect(ours.layers.config.rootfs.diff_ids.slice(0, -1)).to.deep.equal(
      (await savedLayers(base)).config.rootfs.diff_ids,
    );
  });
});
