import path from 'node:path';
import { ensureDist } from './lib/dist.js';
import { exec, timed } from './lib/exec.js';
import { repoRoot } from './lib/fixture.js';
import { secondsRow, type BenchResult, type Row } from './lib/report.js';

const REPEATS = 9;
/** The goal: a command that does not touch Docker starts in 0.2 s. */
const GOAL_SECONDS = 0.2;
/** The same goal as a ratio to `node -e 0`, as measured when it was set (node alone: 0.075 s). */
const GOAL_RATIO = 2.7;

/**
 * How long `dappdeps --help` and `dappdeps validate` take from spawn to exit (compiled dist/), against
 * `node -e 0` spawned in the same rounds: the ratio is what dappdeps adds to node's own start. Rounds
 * interleave the three so a busy machine slows all of them alike.
 */
export async function cliStartup(): Promise<BenchResult> {
  const compiled = await ensureDist();
  const bin = path.join(repoRoot, 'bin/dappdeps.js');
  const commands: Record<string, string[]> = {
    'node -e 0': ['-e', '0'],
    'dappdeps --help': [bin, '--help'],
    'dappdeps validate': [bin, 'validate', '--distro', path.join(repoRoot, 'distro')],
  };
  const samples = new Map<string, number[]>(Object.keys(commands).map((k) => [k, []]));
  for (let round = 0; round <= REPEATS; round++) {
    for (const [name, args] of Object.entries(commands)) {
      const { ms } = await timed(() => exec(process.execPath, args));
      if (round > 0) samples.get(name)?.push(ms / 1000); // round 0 warms the file cache
    }
  }
  const node = { label: 'node -e 0', samples: samples.get('node -e 0') ?? [] };
  const rows: Row[] = [];
  for (const name of ['dappdeps --help', 'dappdeps validate']) {
    const measured = samples.get(name) ?? [];
    rows.push(secondsRow(name, measured, undefined, GOAL_SECONDS));
    rows.push(secondsRow(`${name} / node`, measured, node, GOAL_RATIO));
  }
  return {
    title: 'CLI start-up (spawn to exit)',
    rows,
    notes: [
      `${REPEATS} rounds after one warm-up, each spawning node -e 0, --help and validate in turn`,
      ...(compiled ? ['dist/ was older than src/: compiled it first (not timed)'] : []),
    ],
  };
}
