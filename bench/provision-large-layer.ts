import path from 'node:path';
import { Writable } from 'node:stream';
import type { DockerClient } from '../src/docker/docker-client.js';
import type { Distro } from '../src/manifest/model.js';
import { provisionImage } from '../src/provision/provision-image.js';
import { exec, timed } from './lib/exec.js';
import { repoRoot } from './lib/fixture.js';
import type { Row } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

const PLAYBOOK = path.join(repoRoot, 'bench/fixtures/provision-large/site.yml');
/** The same files the playbook writes, for the baseline's container. */
const WRITE = 'mkdir -p /opt/bench && for i in $(seq 1 50); do head -c 2000000 /dev/urandom > /opt/bench/f$i; done';

/** Ansible's output, keeping when its first and last bytes came: the playbook's span inside the run. */
class PlaybookSpan extends Writable {
  first = 0;
  last = 0;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const now = performance.now();
    if (this.first === 0) this.first = now;
    this.last = now;
    process.stderr.write(chunk);
    done();
  }
}

/**
 * The real-role shape: a ~100 MB new layer on a large base. Ours is provisionImage's time outside the playbook
 * (start to Ansible's first output, then its last output to the tagged result: mounts, container, commit, save,
 * rewrite, load); the baseline is `docker commit` alone of a container of the same base holding the same files,
 * the least any commit-based tool pays.
 */
export async function largeLayer(
  scope: BenchScope,
  docker: DockerClient,
  distro: Distro,
  base: string,
): Promise<{ row: Row; notes: string[] }> {
  const span = new PlaybookSpan();
  const started = performance.now();
  const steps: string[] = [];
  const ours = await provisionImage(docker, distro, {
    playbook: PLAYBOOK,
    from: base,
    tag: scope.tag('ours-large', '1'),
    network: 'host',
    noCache: true,
    stdout: span,
    stderr: process.stderr,
    onStep: (text) =>
      steps.push(`${((performance.now() - started) / 1000).toFixed(1)} s ${text.split(' (')[0] ?? text}`),
  });
  const ended = performance.now();
  const playbookMs = span.last - span.first;
  const outsideMs = ended - started - playbookMs;
  const afterMs = ended - span.last;

  const container = `${scope.repository}-large`;
  await exec('docker', ['run', '-d', '--name', container, '--network', 'none', base, 'sleep', 'infinity']);
  let commitMs: number;
  try {
    await exec('docker', ['exec', container, 'sh', '-ec', WRITE]);
    commitMs = (await timed(() => exec('docker', ['commit', container, scope.tag('commit-large', '1')]))).ms;
  } finally {
    await exec('docker', ['rm', '-f', container]).catch(() => undefined);
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return {
    row: {
      metric: `outside the playbook, ${((ours.layer?.bytes ?? 0) / 1e6).toFixed(0)} MB layer`,
      unit: 's',
      measured: [outsideMs / 1000],
      baseline: { label: '`docker commit` alone', samples: [commitMs / 1000] },
      goal: { op: '<=', value: 4 },
    },
    notes: [
      `real-role shape (${path.relative(repoRoot, PLAYBOOK)} into ${base}): total ${s(ended - started)} = before Ansible's first output ${s(span.first - started)} + playbook ${s(playbookMs)} + after its last output (commit, save, rewrite, load, tag) ${s(afterMs)}`,
      `its steps (from the start; Ansible's last output at ${s(span.last - started)}): ${steps.join('; ')}`,
    ],
  };
}
