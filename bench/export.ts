import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { createDockerClient } from '../src/docker/docker-client.js';
import { loadDistro } from '../src/manifest/load-distro.js';
import { provisionImage } from '../src/provision/provision-image.js';
import { ensureDist } from './lib/dist.js';
import { exec } from './lib/exec.js';
import { repoRoot } from './lib/fixture.js';
import { type BenchResult, median, type Row } from './lib/report.js';
import type { BenchScope } from './lib/scope.js';

const REPEATS = 2;
const MB = 1e6;
const formats = ['docker', 'oci', 'ext4'] as const;

interface Measured {
  seconds: number;
  rssMb: number;
}

/**
 * `dappdeps export` of a provisioned Debian image (> 200 MB: the base and the playbook's layer) to each format, against the shell way in the same
 * run: `docker save | tar -x` (what docker and oci replace), plus extracting the layers and `mkfs.ext4 -d`
 * (what ext4 replaces). Time and peak RSS come from GNU time around the whole process tree (the largest
 * process's peak: node for ours, docker, tar or mkfs for the baseline).
 */
export async function exportFormats(scope: BenchScope): Promise<BenchResult> {
  const compiled = await ensureDist();
  const image = await makeImage(scope);
  const work = path.join(scope.tmp, 'out');
  const fresh = async (): Promise<string> => {
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    return work;
  };
  await timedRss('bash', ['-c', 'docker save "$0" >/dev/null', image]); // warm the page cache for both sides
  const ours = new Map<string, Measured[]>(formats.map((f) => [f, []]));
  const unpack: Measured[] = [];
  const unpackMkfs: Measured[] = [];
  let sizes = '';
  for (let i = 0; i < REPEATS; i++) {
    const dirSizes: string[] = [];
    for (const format of formats) {
      const out = path.join(await fresh(), `image.${format}`);
      const cli = path.join(repoRoot, 'bin/dappdeps.js');
      ours
        .get(format)
        ?.push(
          await timedRss(process.execPath, [cli, 'export', image, '--format', format, '--out', out, '--free', '0']),
        );
      dirSizes.push(`${format} ${((await du(out)) / MB).toFixed(0)} MB`);
    }
    sizes = dirSizes.join(', ');
    unpack.push(
      await timedRss('bash', [
        '-o',
        'pipefail',
        '-c',
        'mkdir "$1/s" && docker save "$0" | tar -x -C "$1/s"',
        image,
        await fresh(),
      ]),
    );
    unpackMkfs.push(await timedRss('bash', ['-o', 'pipefail', '-c', SHELL_EXT4, image, await fresh()]));
  }
  const idle = await timedRss(process.execPath, [path.join(repoRoot, 'bin/dappdeps.js'), '--help']);
  const row = (
    format: (typeof formats)[number],
    metric: 'seconds' | 'rssMb',
    baseline: Measured[],
    label: string,
  ): Row => ({
    metric: `${format}: ${metric === 'seconds' ? 'time' : 'peak RSS'}`,
    unit: metric === 'seconds' ? 's' : 'MB',
    measured: (ours.get(format) ?? []).map((m) => m[metric]),
    baseline: { label, samples: baseline.map((m) => m[metric]) },
    goal: { op: '<=', value: metric === 'seconds' ? 3 : 6 },
  });
  const info = await new Docker().getImage(image).inspect();
  return {
    title: `export: ${image.split('/').pop()} (${(info.Size / MB).toFixed(0)} MB, ${info.RootFS.Layers?.length ?? 0} layers) to each format, ${REPEATS} runs, medians`,
    rows: [
      ...formats.flatMap((f) => {
        const [label, baseline] =
          f === 'ext4' ? ['save|tar -x, layers, mkfs.ext4 -d', unpackMkfs] : ['docker save | tar -x', unpack];
        return [row(f, 'seconds', baseline, label), row(f, 'rssMb', baseline, label)];
      }),
    ],
    notes: [
      `outputs: ${sizes} (ext4 with --free 0: content plus ext4's own metadata and journal)`,
      `for scale: \`dappdeps --help\` alone peaks at ${idle.rssMb.toFixed(0)} MB (node, dockerode and every command's modules), so exporting adds ${formats.map((f) => `${f} ${(median((ours.get(f) ?? []).map((m) => m.rssMb)) - idle.rssMb).toFixed(0)} MB`).join(', ')} to it (streams: no member is held whole in memory)`,
      'ours is `node bin/dappdeps.js export` (compiled dist/, node startup and distro loading included); the baseline is a bash pipeline; both timed by GNU time, whose peak RSS is that of the largest single process',
      'ext4 reads the save stream twice (headers, then files), extracts to a temp folder, runs mkfs.ext4 -d, debugfs for device nodes, setuid bits and owners, and resize2fs to the content plus --free; the baseline does one mkfs sized by du and applies no whiteouts',
      ...(compiled ? ['dist/ was older than src/: ran `npm run build` first'] : []),
    ],
  };
}

/** The shell way to an ext4 image: unpack the save, extract every layer in order, mkfs.ext4 -d sized by du + 20%. */
const SHELL_EXT4 = `set -e
mkdir "$1/s" "$1/root"
docker save "$0" | tar -x -C "$1/s"
for layer in $(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[0].Layers.join("\\n"))' "$1/s/manifest.json"); do
  tar -xf "$1/s/$layer" -C "$1/root"
done
size=$(( $(du -sk "$1/root" | cut -f1) * 12 / 10 + 65536 ))
mkfs.ext4 -q -F -d "$1/root" "$1/root.ext4" "\${size}k"`;

async function timedRss(command: string, args: readonly string[]): Promise<Measured> {
  const { stderr } = await exec('/usr/bin/time', ['-f', 'TIME %e %M', command, ...args]);
  const match = /TIME ([\d.]+) (\d+)\s*$/.exec(stderr);
  if (!match) throw new Error(`GNU time printed no measurement:\n${stderr.slice(-500)}`);
  return { seconds: Number(match[1]), rssMb: (Number(match[2]) * 1024) / MB };
}

async function du(file: string): Promise<number> {
  const { stdout } = await exec('du', ['-sb', file]);
  return Number(stdout.split('\t')[0]);
}

/** The base image provisioned with the provision benchmark's playbook (an apt task, a few files), as users would. */
async function makeImage(scope: BenchScope): Promise<string> {
  const distro = await loadDistro(path.join(repoRoot, 'distro'));
  const tag = scope.tag('export', '1');
  await provisionImage(createDockerClient(), distro, {
    playbook: path.join(repoRoot, 'bench/fixtures/provision/site.yml'),
    from: distro.settings.binary.baseImage,
    tag,
    network: 'host',
    stdout: process.stderr,
    stderr: process.stderr,
  });
  return tag;
}
