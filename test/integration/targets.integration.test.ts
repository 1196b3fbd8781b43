import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Docker from 'dockerode';
import { createDockerClient, type DockerClient } from '../../src/docker/docker-client.js';
import { findImage, loadDistro } from '../../src/manifest/load-distro.js';
import { volumeContainerName, type Distro } from '../../src/manifest/model.js';
import { ensureSmokeTargets, type SmokeTarget } from '../../src/verify/smoke-targets.js';
import { expect } from '../support/expect.js';
import { fixturesDir, realDistroDir } from '../support/paths.js';
import { MadeImages, provisionRead } from '../support/provisioned.js';
import { runCli } from '../support/run-cli.js';
import { adHocResult, runIn } from '../support/target-run.js';

const SITE = path.join(fixturesDir, 'targets/site/site.yml');
/** The launcher's own variables: Ansible's Python needs them, the target never had them. */
const LAUNCHER_VARIABLES = ['LC_ALL', 'LOCPATH', 'OPENSSL_MODULES', 'SSL_CERT_FILE', 'ANSIBLE_PYTHON_INTERPRETER'];

/**
 * The prefixes beyond the quick targets, in what `npm test` can afford: a musl-only image, a read-only root and a
 * non-root user with no writable home (provisioned, or a playbook run), the target staying the target (facts,
 * tasks' PATH), and the seal's assumptions about the target's files (docs/targets.md), one test per case. The whole
 * smoke matrix and the Debian releases are `npm run test:targets` (bootstraps take minutes each).
 */
describe('targets: musl-only, read-only, non-root; the target stays the target; the seal’s assumptions', function () {
  this.timeout(1_800_000);
  const docker = new Docker();
  const client: DockerClient = createDockerClient();
  const made = new MadeImages(docker);
  let distro: Distro;
  let targets: Record<string, SmokeTarget>;
  let ansible: string;
  let base: string;
  let mounts: string[];

  const ad = (target: SmokeTarget, module: string, args: string, env: string[] = []) =>
    runIn(client, target.image, [`${ansible}/bin/ansible`, 'localhost', '-c', 'local', '-m', module, '-a', args], {
      volumesFrom: mounts,
      env,
      ...target.run,
    });
  const sh = (target: SmokeTarget, script: string, env: string[] = []) =>
    runIn(client, target.image, [`${base}/bin/bash`, '-c', script], { volumesFrom: mounts, env, ...target.run });
  const provision = (from: string, extraVars: string[]) =>
    provisionRead(client, distro, {
      playbook: SITE,
      from,
      tag: made.add(`dappdeps-test-targets/site-${randomBytes(3).toString('hex')}:1`),
      extraVars,
    });
  const target = (name: string): SmokeTarget => {
    const t = targets[name];
    if (!t) throw new Error(`no target ${name}`);
    return t;
  };

  before(async () => {
    await docker.ping();
    const built = await runCli(realDistroDir, 'build', '--suite', 'bookworm', 'ansible', 'git', 'base');
    expect(built.code, built.text).to.equal(0);
    const volumes = await runCli(realDistroDir, 'volumes', 'ansible');
    expect(volumes.code, volumes.text).to.equal(0);
    distro = await loadDistro(realDistroDir);
    ansible = findImage(distro, 'ansible').prefix;
    base = findImage(distro, 'base').prefix;
    mounts = distro.index.withRunDeps([findImage(distro, 'ansible')]).map((i) => volumeContainerName(distro, i));
    const list = await ensureSmokeTargets(client, distro, new AbortController().signal, () => undefined, [
      'busybox',
      'empty',
      'base',
      'musl',
      'read-only',
      'non-root',
    ]);
    targets = Object.fromEntries(list.map((t) => [t.name, t]));
    targets.debian = target(distro.settings.binary.baseImage);
  });

  after(() => made.removeAll());

  it('the musl image has musl and no glibc: its program runs, no libc.so.6 or ld-linux anywhere', async () => {
    const found = await runIn(client, target('musl').image, [
      '/bin/sh',
      '-c',
      'hello-musl; find / -xdev -name "libc.so*" -o -xdev -name "ld-linux*"; ls /lib',
    ]);
    expect(found.code).to.equal(0);
    expect(found.output.trim().split('\n')).to.deep.equal([
      'hello from musl: uid 0 is root',
      'ld-musl-x86_64.so.1',
      'libc.musl-x86_64.so.1',
    ]);
  });

  it('(a) the env fact describes the target: none of the launcher’s variables, no DAPPDEPS_*, PATH without prefixes', async () => {
    for (const name of ['debian', 'busybox']) {
      const run = await ad(target(name), 'setup', 'filter=ansible_env');
      const facts = adHocResult(run.output) as { ansible_facts: { ansible_env: Record<string, string> } };
      const env = facts.ansible_facts.ansible_env;
      const keys = Object.keys(env);
      expect(
        keys.filter((k) => LAUNCHER_VARIABLES.includes(k) || k.startsWith('DAPPDEPS_')),
        name,
      ).to.deep.equal([]);
      expect(env.PATH, name).to.equal('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
      expect(keys, name).to.include('HOME');
    }
  });

  it('(a) a variable the target itself sets is shown with its own value', async () => {
    const run = await ad(target('debian'), 'setup', 'filter=ansible_env', ['LC_ALL=C', 'SSL_CERT_FILE=/etc/own.pem']);
    const env = (adHocResult(run.output) as { ansible_facts: { ansible_env: Record<string, string> } }).ansible_facts
      .ansible_env;
    expect([env.LC_ALL, env.SSL_CERT_FILE]).to.deep.equal(['C', '/etc/own.pem']);
  });

  it("(a) lookup('env') in the play sees the target’s environment too, not the launcher’s", async () => {
    const names = ['PATH', 'LC_ALL', 'LOCPATH', 'SSL_CERT_FILE', 'OPENSSL_MODULES', 'TMPDIR', 'DAPPDEPS_PRIVATE_ENV'];
    const msg = names.map((n) => `{{ lookup('env', '${n}') }}`).join('|');
    for (const name of ['debian', 'busybox', 'empty']) {
      // LC_ALL as the target (the docker run) sets it: its own value, not the launcher's C.UTF-8
      const run = await ad(target(name), 'debug', `msg=${msg}`, ['LC_ALL=C']);
      expect(run.code, run.output).to.equal(0);
      expect(adHocResult(run.output), name).to.include({
        msg: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|C|||||',
      });
    }
  });

  it('(b) in an image with no coreutils, tasks borrow only what Ansible’s own commands run: mkdir, chmod, rm, sleep', async () => {
    const script = 'for x in mkdir chmod rm sleep sudo tar rsync ls find python3; do command -v $x || echo no-$x; done';
    const run = await ad(target('empty'), 'shell', script);
    expect(run.code, run.output).to.equal(0);
    const borrowed = ['mkdir', 'chmod', 'rm', 'sleep'].map((x) => `${ansible}/libexec/dappdeps/task-bin/${x}`);
    const missing = ['no-sudo', 'no-tar', 'no-rsync', 'no-ls', 'no-find', 'no-python3'];
    expect(run.output).to.contain([...borrowed, ...missing].join('\n'));
  });

  it('(b) tasks find git, never the prefixes’ python3, ssh-keygen, sudo or ansible-playbook', async () => {
    const script =
      'for x in python3 ssh-keygen sudo ansible-playbook; do command -v $x || echo no-$x; done; command -v git';
    for (const name of ['debian', 'busybox', 'musl']) {
      const run = await ad(target(name), 'shell', script);
      expect(run.code, run.output).to.equal(0);
      expect(run.output, name).to.contain('no-python3\nno-ssh-keygen\nno-sudo\nno-ansible-playbook\n');
      expect(run.output, name).to.match(/\/\.dapp\/deps\/git\/[^/]+\/bin\/git/);
    }
  });

  it('(b) a module that needs a prefix tool still borrows it: user makes an SSH key with the prefix’s ssh-keygen', async () => {
    const run = await ad(target('debian'), 'user', 'name=svc generate_ssh_key=true ssh_key_type=ed25519');
    expect(run.code, run.output).to.equal(0);
    expect(adHocResult(run.output)).to.include({ changed: true, ssh_key_file: '/home/svc/.ssh/id_ed25519' });
  });

  it('provisions the musl image: file, template, lineinfile and its own musl program through command', async () => {
    const { top } = await provision(target('musl').image, ['probe=hello-musl', 'target_name=musl']);
    const body = (name: string) => top.find((e) => e.name === name)?.body;
    expect(body('srv/site/probe.txt')).to.equal('hello from musl: uid 0 is root\n');
    expect(body('srv/site/index.html')).to.contain('provisioned into musl');
    expect(body('srv/site/site.conf')).to.equal('listen = 8080\n');
    expect(top.filter((e) => /^\.dapp|python/.test(e.name)).map((e) => e.name)).to.deep.equal([]);
  });

  it('provisions as a non-root user with no writable home: files in /tmp, its USER and HOME kept', async () => {
    const { top, layers } = await provision(target('non-root').image, ['site_dir=/tmp/site', 'target_name=non-root']);
    expect(top.find((e) => e.name === 'tmp/site/index.html')?.uid).to.equal(65534);
    expect(top.find((e) => e.name === 'tmp/site/probe.txt')?.body).to.contain('usr');
    expect(top.filter((e) => /^\.dapp|^nonexistent|python/.test(e.name)).map((e) => e.name)).to.deep.equal([]);
    expect(layers.config.config.User).to.equal('65534:65534');
  });

  it('runs a playbook in a read-only root with only a tmpfs /tmp; a task writing the root fails naming the path', async () => {
    const playbook = [
      '- hosts: localhost',
      '  gather_facts: false',
      '  tasks:',
      '    - file: { path: /tmp/site, state: directory }',
      '    - lineinfile: { path: /tmp/site/site.conf, line: listen = 8080, create: true }',
      '    - command: cat /tmp/site/site.conf',
      '      register: conf',
      '    - assert: { that: ["conf.stdout == \'listen = 8080\'"] }',
    ].join('\n');
    const run = await sh(
      target('read-only'),
      `printf '%s\\n' "$PLAYBOOK" >/tmp/site.yml && ${ansible}/bin/ansible-playbook -i localhost, -c local /tmp/site.yml`,
      [`PLAYBOOK=${playbook}`],
    );
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.match(/ok=4 +changed=3 +unreachable=0 +failed=0/);
    const root = await ad(target('read-only'), 'file', 'path=/srv/site state=directory');
    expect(root.code).to.not.equal(0);
    expect(root.output).to.match(/Read-only file system: b?'\/srv\/site'/);
  });

  describe('the seal’s assumptions (docs/targets.md), one case each', () => {
    it('locale: Ansible brings its own C.UTF-8 and ignores the target’s LC_ALL; base’s tools use the target’s locale data', async () => {
      const busybox = target('busybox');
      // busybox has no locale data at all: Ansible runs, base's bash says it falls back to C
      expect((await ad(busybox, 'ping', '', ['LC_ALL=de_DE.UTF-8'])).output).to.contain('"ping": "pong"');
      const bash = await sh(busybox, `printf 'é' | ${base}/bin/wc -m`, ['LC_ALL=C.UTF-8']);
      expect(bash.output).to.contain('setlocale: LC_ALL: cannot change locale (C.UTF-8)');
      expect(bash.output.trim().split('\n').at(-1)).to.equal('2');
      // Debian's own C.utf8 is read by base's glibc: one character
      const debian = await sh(target('debian'), `printf 'é' | ${base}/bin/wc -m`, ['LC_ALL=C.UTF-8']);
      expect(debian.output.trim()).to.equal('1');
    });

    it('nsswitch: missing means files; a source the prefix has no module for (sss) gives numbers, not names', async () => {
      const run = await sh(
        target('debian'),
        `${base}/bin/id -un; echo 'passwd: sss' >/etc/nsswitch.conf; ${base}/bin/id -un; echo rc=$?; ` +
          `rm /etc/nsswitch.conf; ${base}/bin/id -un`,
      );
      expect(run.output).to.match(/^root\n/);
      expect(run.output).to.contain('cannot find name for user ID 0');
      expect(run.output).to.match(/rc=1\nroot\n$/);
    });

    it('/etc/passwd: missing (busybox), Ansible still runs as uid 0; whoami says it cannot find a name', async () => {
      const busybox = target('busybox');
      expect((await ad(busybox, 'ping', '')).output).to.contain('"ping": "pong"');
      const who = await sh(busybox, `${base}/bin/whoami; echo rc=$?`);
      expect(who.output).to.contain('cannot find name for user ID 0');
      expect(who.output).to.contain('rc=1');
    });

    it('certificates: the prefix’s CA bundle where the target has none, the target’s SSL_CERT_FILE where it sets one', async () => {
      const count = `import ssl; print(len(ssl.create_default_context().get_ca_certs()))`;
      const ours = await runIn(client, target('busybox').image, [`${ansible}/bin/python3`, '-c', count], {
        volumesFrom: mounts,
      });
      expect(Number(ours.output.trim())).to.be.greaterThan(100);
      const theirs = await runIn(client, target('busybox').image, [`${ansible}/bin/python3`, '-c', count], {
        volumesFrom: mounts,
        env: ['SSL_CERT_FILE=/nonexistent.pem'],
      });
      expect(theirs.output.trim()).to.equal('0');
    });

    it('timezone: TZ names resolve in the target’s zoneinfo; without one (busybox) the time is UTC', async () => {
      const debian = await sh(target('debian'), `${base}/bin/date +%Z`, ['TZ=Asia/Tokyo']);
      expect(debian.output.trim()).to.equal('JST');
      const busybox = await sh(target('busybox'), `${base}/bin/date +%z; ${base}/bin/date -u +%z`, ['TZ=Asia/Tokyo']);
      expect(busybox.output.trim().split('\n')).to.deep.equal(['+0000', '+0000']);
    });
  });
});
