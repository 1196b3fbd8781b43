import path from 'node:path';
import { createDockerClient } from '../src/docker/docker-client.js';
import { loadDistro } from '../src/manifest/load-distro.js';
import { provisionImage } from '../src/provision/provision-image.js';
import { largeLayer } from './provision-large-layer.js';
import { exec, timed } from './lib/exec.js';
import { repoRoot } from './lib/fixture.js';
import type { BenchResult } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

const MB = 1e6;
const PLAYBOOK = path.join(repoRoot, 'bench/fixtures/provision/site.yml');
/** What users purge after the playbook (the apt module installs python3-apt itself when it is missing). */
const PURGE = [
  'ansible-core',
  'python3-apt',
  'python3',
  'python3-minimal',
  'python3.11',
  'python3.11-minimal',
  'libpython3.11-minimal',
  'libpython3.11-stdlib',
];

/**
 * The same playbook (an apt task and a few file tasks) provisioned into the binary base image two ways in one
 * run: `provisionImage` with the dappdeps images mounted, against what users do without dappdeps: install
 * ansible-core with apt in a container of the image, run the playbook, purge Ansible and Python, commit. The
 * baseline's container is committed after each step too (untimed), so the playbook's own files are measured
 * apart: what its step alone added.
 */
export async function provision(scope: BenchScope): Promise<BenchResult> {
  const distro = await loadDistro(path.join(repoRoot, 'distro'));
  const base = distro.settings.binary.baseImage;
  const docker = createDockerClient();
  const size = async (ref: string): Promise<number> => {
    const details = await docker.images.inspect(ref);
    if (!details) throw new Error(`no image ${ref}`);
    return details.size;
  };
  const baseSize = await size(base);
  const large = await largeLayer(scope, docker, distro, base);
  if (process.env.DAPPDEPS_BENCH_PROVISION === 'large') {
    return { title: `provision: the real-role shape into ${base}`, rows: [large.row], notes: large.notes };
  }

  const ours = await timed(() =>
    provisionImage(docker, distro, {
      playbook: PLAYBOOK,
      from: base,
      tag: scope.tag('ours', '1'),
      network: 'host',
      noCache: true,
      stdout: process.stderr,
      stderr: process.stderr,
    }),
  );

  const container = `${scope.repository}-baseline`;
  const docker$ = (...args: string[]) => exec('docker', args);
  const inContainer = (script: string) => docker$('exec', container, 'sh', '-ec', script);
  const commit = async (name: string) => {
    const ref = scope.tag(name, '1');
    await docker$('commit', container, ref);
    return ref;
  };
  await docker$(
    'run',
    '-d',
    '--name',
    container,
    '--network',
    'host',
    '-v',
    `${path.dirname(PLAYBOOK)}:/playbook:ro`,
    base,
    'sleep',
    'infinity',
  );
  let steps: { install: number; playbook: number; purge: number; commit: number };
  let refs: { installed: string; played: string; final: string };
  try {
    const install = await timed(() =>
      inContainer(
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ansible-core',
      ),
    );
    const installed = await commit('baseline-installed');
    const playbook = await timed(() =>
      docker$('exec', container, 'ansible-playbook', '-i', 'localhost,', '-c', 'local', '/playbook/site.yml'),
    );
    const played = await commit('baseline-played');
    const purge = await timed(() =>
      inContainer(
        `DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq --auto-remove ${PURGE.join(' ')} && apt-get clean`,
      ),
    );
    const final = await timed(() => commit('baseline'));
    steps = { install: install.ms, playbook: playbook.ms, purge: purge.ms, commit: final.ms };
    refs = { installed, played, final: final.value };
  } finally {
    await docker$('rm', '-f', container).catch(() => undefined);
  }
  const baselineMs = steps.install + steps.playbook + steps.purge + steps.commit;
  const playbookOwn = (await size(refs.played)) - (await size(refs.installed));
  const oursAdds = ours.value.size - baseSize;
  const baselineAdds = (await size(refs.final)) - baseSize;
  const python = await exec('docker', [
    'run',
    '--rm',
    '--entrypoint',
    '/bin/sh',
    scope.tag('ours', '1'),
    '-c',
    'ls /usr/bin/python3* /usr/lib/python3* 2>/dev/null | wc -l',
  ]);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return {
    title: `provision: an apt task and four file tasks into ${base}`,
    rows: [
      {
        metric: 'wall time',
        unit: 's',
        measured: [ours.ms / 1000],
        baseline: { label: 'apt ansible-core, play, purge, commit', samples: [baselineMs / 1000] },
        goal: { op: '<=', value: 0.5 },
      },
      {
        metric: `size added to ${base}`,
        unit: 'MB',
        measured: [oursAdds / MB],
        baseline: { label: "the playbook's own files", samples: [playbookOwn / MB] },
        goal: { op: '<=', value: 1.05 },
      },
      large.row,
    ],
    notes: [
      ...large.notes,
      `baseline steps: apt-get install ansible-core ${s(steps.install)}, playbook ${s(steps.playbook)}, purge of Ansible and Python ${s(steps.purge)}, commit ${s(steps.commit)}`,
      `the baseline adds ${(baselineAdds / MB).toFixed(1)} MB to ${base} after its purge (${(baselineAdds / Math.max(playbookOwn, 1)).toFixed(2)}× the playbook's own files); ours adds ${(oursAdds / MB).toFixed(1)} MB in one layer of ${ours.value.layer?.entries ?? 0} entries`,
      `"the playbook's own files": what the baseline's playbook step alone added (its commit minus the one before it)`,
      `Python files in our result (/usr/bin/python3*, /usr/lib/python3*): ${python.stdout.trim()}`,
      "one round each: both download from Debian's mirror (the apt task; the baseline also ansible-core and Python), so the mirror is part of the noise",
    ],
  };
}
