import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { repoRoot } from '../support/paths.js';

interface Run {
  code: number | null;
  events: { event: string; image?: string }[];
}

/** Run the built CLI as a real process; `onEvent` may signal it. */
function dappdeps(
  args: string[],
  onEvent: (event: { event: string; image?: string }, child: ReturnType<typeof spawn>) => void = () => {},
): Promise<Run> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/dappdeps.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Run['events'] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const event = JSON.parse(buffered.slice(0, nl)) as { event: string; image?: string };
      buffered = buffered.slice(nl + 1);
      events.push(event);
      onEvent(event, child);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, events })));
}

describe('interrupting a build (SIGINT)', function () {
  this.timeout(300_000);
  let fx: FixtureDistro;
  const docker = new Docker();
  const args = () => ['build', '--json', '--distro', fx.dir, '--work-dir', path.join(fx.tmp, 'work')];
  let interrupted: Run;
  /** An image's start and end events (steps and heartbeats left out). */
  const states = (run: Run, image: string) =>
    run.events.filter((e) => e.image === image && !['step', 'heartbeat'].includes(e.event)).map((e) => e.event);

  before(async () => {
    await docker.ping();
    fx = await fixtureDistro('interrupt');
    interrupted = await dappdeps(args(), (event, child) => {
      if (event.event === 'start' && event.image === 'slow') void sleep(1500).then(() => child.kill('SIGINT'));
    });
  });
  after(async () => fx?.cleanup());

  it('exits 130 after building what finished', () => {
    expect(interrupted.code).to.equal(130);
    expect(states(interrupted, 'quick')).to.deep.equal(['start', 'built']);
    expect(states(interrupted, 'slow').filter((e) => e !== 'start')).to.deep.equal(['cancelled']);
  });

  it('leaves no build container behind', async () => {
    const mentioning = async () =>
      (await docker.listContainers({ all: true })).filter((c) => c.Command.includes('dappdeps-interrupt-marker'));
    for (let i = 0; i < 30 && (await mentioning()).length > 0; i++) await sleep(500);
    expect(await mentioning()).to.deep.equal([]);
  });

  it('resumes on the next run: what finished is not rebuilt', async () => {
    const resumed = await dappdeps(args());
    expect(resumed.code).to.equal(0);
    expect(states(resumed, 'quick')).to.deep.equal(['cached']);
    expect(states(resumed, 'slow')).to.deep.equal(['start', 'built']);
  });
});
