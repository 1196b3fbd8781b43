import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contextTar } from '../src/orchestrator/context-tar.js';
import { bootstrapBaseImage } from '../src/bootstrap/bootstrap-base.js';
import { createDockerClient } from '../src/docker/docker-client.js';
import { ensureDist } from './lib/dist.js';
import { exec, timed } from './lib/exec.js';
import { type BenchResult, median } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

const REPEATS = 3;
const BASE = 'debian:bookworm';
const PREFIX = '/.dapp/deps/bench/1.0';
/** debian:bookworm's /usr is ~110 MB here (a debootstrap minbase); 45 × 2 MB of random files top it up to ~200 MB. */
const FILLER = { count: 45, mib: 2 };
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'extract-child.mjs');
const MB = 1e6;
/** Peak RSS as reported by process.resourceUsage() (KiB), in MB. */
const rssMb = (kib: number): number => (kib * 1024) / MB;

/** Peak RSS growths (KiB) as `median (min–max)` MB. */
function growthText(kib: number[]): string {
  const mb = kib.map(rssMb);
  return `${median(mb).toFixed(0)} (${Math.min(...mb).toFixed(0)}–${Math.max(...mb).toFixed(0)})`;
}

/** What extract-child.mjs prints (files and format only in `extract` mode). */
interface ChildReport {
  ms: number;
  bytes: number;
  files?: number;
  format?: string;
  maxRssKiB: number;
}

/**
 * Extracting a ~200 MB prefix from a `docker save` stream with extractImage against what the original dappdeps
 * did: `docker save IMG | tar -x` into a folder, then `tar -xf` of each layer tar in manifest order.
 */
export async function extraction(scope: BenchScope): Promise<BenchResult> {
  const compiled = await ensureDist();
  const tag = await buildPrefixImage(scope);
  const work = path.join(scope.tmp, 'extract');
  const fresh = async (): Promise<string> => {
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    return work;
  };
  // Warm-up, untimed: the layer files and docker's save path get into the page cache for both contenders.
  await ours(tag, await fresh());
  await baseline(tag, await fresh());

  const runs: ChildReport[] = [];
  const baselineMs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    runs.push(await ours(tag, await fresh()));
    baselineMs.push(await baseline(tag, await fresh()));
  }
  await rm(work, { recursive: true, force: true });
  // Same-run references for the RSS: the process with nothing to do, and reading the save stream without writing.
  const idle = await child(['idle']);
  const drain = await child(['drain', tag]);

  const bytes = runs[0]?.bytes ?? 0;
  const throughput = (ms: number): number => bytes / MB / (ms / 1000);
  return {
    title: `extraction: ${(bytes / MB).toFixed(0)} MB prefix (${runs[0]?.files ?? 0} files, ${runs[0]?.format ?? '?'} save format), ${REPEATS} runs, medians`,
    rows: [
      {
        metric: 'throughput',
        unit: 'MB/s',
        measured: runs.map((r) => throughput(r.ms)),
        baseline: { label: 'docker save | tar -x; tar -xf layers', samples: baselineMs.map(throughput) },
        goal: { op: '>=', value: 1 },
      },
      {
        metric: 'peak RSS of the extracting process',
        unit: 'MB',
        measured: runs.map((r) => rssMb(r.maxRssKiB)),
        goal: { op: '<=', value: 100 },
      },
    ],
    notes: [
      'ours runs in a child `node bench/extract-child.mjs` on compiled dist/ (tsx would add ~40 MB); its time is taken inside the child (save request to extraction done), so node startup is not counted',
      `the baseline is timed around its processes (docker CLI startup included: ~0.1 s); MB = 10^6 bytes of regular-file content written`,
      `for reference, the same child peaks at ${rssMb(idle.maxRssKiB).toFixed(0)} MB just loading its modules (node + dockerode + tar-fs), and at ${rssMb(drain.maxRssKiB).toFixed(0)} MB only reading the save stream to its end (${(drain.ms / 1000).toFixed(1)} s, writing nothing)`,
      `so extracting adds ${growthText(runs.map((r) => r.maxRssKiB - idle.maxRssKiB))} MB to the idle child's peak, where reading the stream alone adds ${rssMb(drain.maxRssKiB - idle.maxRssKiB).toFixed(0)} MB`,
      ...(compiled ? ['dist/ was older than src/: ran `npm run build` first'] : []),
    ],
  };
}

/** `FROM scratch` holding only the prefix: debian's /usr plus filler files. */
async function buildPrefixImage(scope: BenchScope): Promise<string> {
  const docker = createDockerClient();
  await bootstrapBaseImage(docker, BASE);
  const tag = scope.tag('extract', '1.0');
  const dockerfile = [
    `FROM ${BASE} AS b`,
    `RUN mkdir -p ${PREFIX} && cp -a /usr ${PREFIX}/ && for i in $(seq ${FILLER.count}); do head -c ${FILLER.mib}M /dev/urandom > ${PREFIX}/filler-$i; done`,
    'FROM scratch',
    `COPY --from=b ${PREFIX} ${PREFIX}`,
    'CMD ["no-such-cmd"]',
  ].join('\n');
  const lines: string[] = [];
  try {
    await docker.images.build({
      image: 'bench-extract',
      context: contextTar(new Map([['Dockerfile', `${dockerfile}\n`]]), []),
      tag,
      labels: {},
      onLine: (line) => lines.push(line.text),
      idleTimeoutMs: 600_000,
    });
  } finally {
    scope.recordBuildOutput(lines.join('\n'));
  }
  return tag;
}

async function child(args: string[]): Promise<ChildReport> {
  const { stdout } = await exec(process.execPath, [CHILD, ...args]);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildReport;
}

async function ours(tag: string, dir: string): Promise<ChildReport> {
  return child(['extract', tag, path.join(dir, 'root'), PREFIX]);
}

/** The original way; returns milliseconds. */
async function baseline(tag: string, dir: string): Promise<number> {
  const saved = path.join(dir, 'save');
  const root = path.join(dir, 'root');
  await mkdir(saved);
  await mkdir(root);
  const { ms } = await timed(async () => {
    await exec('bash', ['-o', 'pipefail', '-c', 'docker save "$1" | tar -x -C "$2"', 'bench', tag, saved]);
    const manifest = JSON.parse(await readFile(path.join(saved, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    for (const layer of manifest[0]?.Layers ?? []) await exec('tar', ['-xf', path.join(saved, layer), '-C', root]);
  });
  return ms;
}
