import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extractImage } from '../archive/index.js';
import { ensureVolumes } from '../volumes/volume-containers.js';
import type { DockerClient } from '../docker/docker-client.js';
import { DappdepsError } from '../errors.js';
import { findImage } from '../manifest/load-distro.js';
import type { Distro } from '../manifest/model.js';
import { ensureSmokeTargets } from '../verify/smoke-targets.js';

export interface DemoResult {
  /** The image the playbook ran in: scratch + static busybox, no libc. */
  target: string;
  /** The committed container. */
  committed: string;
  /** What the git module checked out, read back from the committed image. */
  checkedOut: string;
  /** Every path under /.dapp in the committed image: all directories, all empty leaves. */
  mountPoints: string[];
  /** Anything under /.dapp in the committed image that is not a directory (must be none). */
  filesUnderDapp: string[];
}

/** The shell script the target runs: a git repository made with the git image, then the playbook. */
function script(git: string, ansible: string): string {
  const playbook = `- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: file module makes the application folder
      file: { path: /srv/app, state: directory, mode: "0755" }
    - name: command module runs a tool of the image itself (busybox)
      command: /bin/busybox sh -c 'echo built by ansible > /srv/app/BUILT'
      args: { creates: /srv/app/BUILT }
    - name: git module clones with the git image
      git: { repo: /tmp/demo/src, dest: /srv/app/src, version: main, executable: ${git}/bin/git }
`;
  return [
    'set -e',
    'mkdir -p /tmp/demo/src && cd /tmp/demo/src',
    `${git}/bin/git init -q -b main`,
    "echo 'hello from a git repository' > README",
    `${git}/bin/git add README`,
    `${git}/bin/git -c user.name=dappdeps -c user.email=demo@dappdeps.invalid commit -q -m 'first commit'`,
    `cat > /tmp/demo/playbook.yml <<'PLAYBOOK'\n${playbook}PLAYBOOK`,
    `${ansible}/bin/ansible-playbook -i localhost, /tmp/demo/playbook.yml`,
  ].join('\n');
}

/**
 * The seed article's demo: Ansible (file, command and git modules) runs in an image that has no libc,
 * with ansible, git and base mounted read-only; the container is committed, and the committed image is
 * shown to keep only empty mount points under /.dapp.
 */
export async function runAnsibleDemo(
  docker: DockerClient,
  distro: Distro,
  signal: AbortSignal,
  out: NodeJS.WritableStream,
): Promise<DemoResult> {
  const ansible = findImage(distro, 'ansible');
  const git = findImage(distro, 'git');
  const volumes = await ensureVolumes(docker, distro, distro.index.withRunDeps([ansible, git]), 'binary');
  const [busybox] = await ensureSmokeTargets(docker, distro, signal);
  if (!busybox) throw new DappdepsError('no busybox target image');
  const committed = `${distro.settings.repository}/demo:latest`;
  const code = await docker.containers.run({
    image: busybox.image,
    cmd: ['/bin/sh', '-c', script(git.prefix, ansible.prefix)],
    volumesFrom: volumes.map((v) => v.container),
    stdout: out,
    stderr: out,
    signal,
    commitTo: committed,
  });
  if (code !== 0) throw new DappdepsError(`the demo playbook failed (exit ${code}) in ${busybox.image}`);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-demo-'));
  try {
    const root = path.join(dir, 'root');
    await extractImage(await docker.images.save(committed), { target: root });
    const mountPoints: string[] = [];
    const filesUnderDapp: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(path.join(root, rel), { withFileTypes: true });
      if (entries.length === 0) mountPoints.push(`/${rel}`);
      for (const e of entries) {
        const child = path.join(rel, e.name);
        if (e.isDirectory()) await walk(child);
        else filesUnderDapp.push(`/${child}`);
      }
    };
    await walk('.dapp');
    return {
      target: busybox.image,
      committed,
      checkedOut: await readFile(path.join(root, 'srv/app/src/README'), 'utf8'),
      mountPoints,
      filesUnderDapp,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
