import { NotBuiltError } from '../../../src/errors.js';
import { createReporter, defaultReporterKind, describeResult, heartbeatFromEnv } from '../../../src/ui/reporter.js';
import { captureOutput } from '../../support/capture-output.js';
import { expect } from '../../support/expect.js';

describe('reporter', () => {
  it('shows a spinner only on an interactive, capable terminal outside CI', () => {
    expect(defaultReporterKind({}, { isTTY: true })).to.equal('spinner');
    expect(defaultReporterKind({}, { isTTY: false })).to.equal('plain');
    expect(defaultReporterKind({ CI: 'true' }, { isTTY: true })).to.equal('plain');
    expect(defaultReporterKind({ TERM: 'dumb' }, { isTTY: true })).to.equal('plain');
    expect(defaultReporterKind({ NO_COLOR: '' }, { isTTY: true })).to.equal('plain');
  });

  it('describes every outcome, a failure with its message and hint', () => {
    expect(describeResult({ name: 'git', state: 'built', durationMs: 1500 })).to.equal('git: built in 1.5s');
    expect(describeResult({ name: 'git', state: 'cached', durationMs: 3 })).to.equal('git: cached (same content hash)');
    expect(describeResult({ name: 'git', state: 'skipped', durationMs: 0, because: 'toolchain' })).to.equal(
      'git: skipped (toolchain failed)',
    );
    expect(describeResult({ name: 'git', state: 'cancelled', durationMs: 0 })).to.equal('git: cancelled');
    const error = new NotBuiltError([{ name: 'toolchain', tag: 'd/toolchain:1' }], 'binary');
    expect(describeResult({ name: 'git', state: 'failed', durationMs: 2000, error })).to.equal(
      'git: FAILED after 2.0s: not built: d/toolchain:1 (hint: run `dappdeps build toolchain` first)',
    );
  });

  it('plain: one line per state change on stderr, nothing on stdout', () => {
    const output = captureOutput();
    const reporter = createReporter('plain', output);
    reporter.start('git');
    reporter.info('bootstrapping debian:bookworm');
    reporter.finish({ name: 'git', state: 'built', durationMs: 1000 });
    reporter.close();
    expect(output.stdout).to.deep.equal([]);
    expect(output.stderr).to.deep.equal(['git: building', 'bootstrapping debian:bookworm', 'git: built in 1.0s']);
  });

  it('json: one JSON event per line on stdout, failures with their error and hint', () => {
    const output = captureOutput();
    const reporter = createReporter('json', output);
    reporter.start('git');
    reporter.finish({
      name: 'git',
      state: 'failed',
      durationMs: 12.4,
      error: new NotBuiltError([{ name: 'base', tag: 'd/base:1' }], 'source'),
    });
    reporter.info('done');
    const events = output.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => e.event)).to.deep.equal(['start', 'failed', 'info']);
    expect(events.every((e) => typeof e.time === 'string')).to.equal(true);
    expect(events[1]).to.include({
      image: 'git',
      durationMs: 12,
      error: 'not built: d/base:1',
      hint: 'run `dappdeps build --strategy source base` first',
    });
    expect(events[2]).to.include({ message: 'done' });
    expect(output.stderr).to.deep.equal([]);
  });
});

describe('reporter heartbeats', () => {
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('plain: a line per new step, and a heartbeat (image, step, elapsed) for an image silent for the interval', async () => {
    const output = captureOutput();
    const reporter = createReporter('plain', output, { heartbeatMs: 40 });
    reporter.start('git', '/w/logs/git.building-1.log');
    reporter.step('git', { step: '[build 2/3] RUN sleep 4' });
    reporter.step('git', { step: '[build 2/3] RUN sleep 4', detail: 'seal: closure' });
    await wait(150);
    reporter.finish({ name: 'git', state: 'built', durationMs: 150 });
    const after = output.stderr.length;
    await wait(100); // a finished image gets no heartbeat
    reporter.close();
    expect(output.stderr.slice(0, 2)).to.deep.equal([
      'git: building, log: /w/logs/git.building-1.log',
      'git: [build 2/3] RUN sleep 4',
    ]);
    const beats = output.stderr.slice(2, -1);
    expect(beats.length).to.be.at.least(1);
    for (const beat of beats)
      expect(beat).to.match(/^git: still building after 0s, at \[build 2\/3\] RUN sleep 4 \(seal: closure\)$/);
    expect(output.stderr.length).to.equal(after);
  });

  it('json: step and heartbeat events', async () => {
    const output = captureOutput();
    const reporter = createReporter('json', output, { heartbeatMs: 40 });
    reporter.start('git');
    reporter.step('git', { step: '[2/3] RUN sleep 4' });
    await wait(150);
    reporter.close();
    const events = output.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events[1]).to.include({ event: 'step', image: 'git', step: '[2/3] RUN sleep 4' });
    expect(events.slice(2).length).to.be.at.least(1);
    for (const e of events.slice(2))
      expect(e).to.include({ event: 'heartbeat', image: 'git', step: '[2/3] RUN sleep 4' });
  });

  it('takes its interval from DAPPDEPS_HEARTBEAT_SECONDS, else 60 s', () => {
    expect(heartbeatFromEnv({ DAPPDEPS_HEARTBEAT_SECONDS: '2' })).to.equal(2000);
    expect(heartbeatFromEnv({})).to.equal(60_000);
    expect(heartbeatFromEnv({ DAPPDEPS_HEARTBEAT_SECONDS: 'soon' })).to.equal(60_000);
  });
});
