import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { expect } from '../support/expect.js';
import { fixtureDistro, type FixtureDistro } from '../support/fixture-distro.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { setEnv } from '../support/env.js';

/**
 * A build whose step is silent for 4 s, with heartbeats every second: plain output (as in CI) and `--json`
 * both show the steps as they start and heartbeats naming the image, its step and the time so far.
 */
describe('build progress on a real engine (a silent step)', function () {
  this.timeout(600_000);
  let fx: FixtureDistro;
  let restoreEnv: (() => void) | undefined;
  const build = (...args: string[]): Promise<CliRun> =>
    runCli(
      fx.dir,
      'build',
      '--no-cache', // the silent step runs on every test run
      '--work-dir',
      path.join(fx.tmp, 'work'),
      ...args,
      'quiet',
    );

  before(async () => {
    await new Docker().ping(); // no engine: fail here, loudly, never skip
    fx = await fixtureDistro('progress');
    // CI: plain lines, whatever terminal runs the tests.
    restoreEnv = setEnv({ CI: '1', DAPPDEPS_HEARTBEAT_SECONDS: '1' });
  });
  after(async () => {
    restoreEnv?.();
    await fx?.cleanup();
  });

  it('plain: a line per step, heartbeats during the silent step, and the log named where it is written', async () => {
    const run = await build('--builder', 'classic');
    expect(run.code, run.text).to.equal(0);
    const lines = run.stderr;
    const building = lines.find((l) => l.startsWith('quiet: building, log: '));
    expect(building, run.text).to.be.a('string');
    const step = /^quiet: \[step 2\/\d+\] RUN echo quiet: about to sleep && sleep 4 && echo quiet: awake$/;
    expect(lines.filter((l) => step.test(l)).length, run.text).to.equal(1);
    const beats = lines.filter((l) => /^quiet: still building after \d+s, at \[step 2\/\d+\] RUN echo quiet/.test(l));
    expect(beats.length, run.text).to.be.at.least(2);
    const log = lines.find((l) => l.startsWith('quiet: log '))?.slice('quiet: log '.length) ?? '';
    expect(await readFile(log, 'utf8')).to.contain('quiet: awake');
    // The live log was renamed to its final name: nothing of it is left under its live name.
    const live = building?.slice('quiet: building, log: '.length) ?? '';
    await expect(access(live)).to.be.rejected;
  });

  it('--json: start (with the live log), step, heartbeat and summary events', async () => {
    const run = await build('--json', '--builder', 'buildkit');
    expect(run.code, run.text).to.equal(0);
    const events = run.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = events.find((e) => e.event === 'start');
    expect(start).to.include({ image: 'quiet' });
    expect(start?.log).to.match(/\.building-\d+\.log$/);
    const sleeping = '[build 2/3] RUN echo quiet: about to sleep && sleep 4 && echo quiet: awake';
    expect(events.filter((e) => e.event === 'step').map((e) => e.step)).to.include(sleeping);
    const beats = events.filter((e) => e.event === 'heartbeat' && e.step === sleeping);
    expect(beats.length, run.text).to.be.at.least(2);
    for (const beat of beats) expect(beat.image).to.equal('quiet');
    expect(beats[0]?.elapsedMs).to.be.a('number');
    const summary = events.find((e) => e.event === 'summary') as { logs: Record<string, string> } | undefined;
    expect(await readFile(summary?.logs.quiet ?? '', 'utf8')).to.contain('quiet: awake');
  });
});
