import { NotBuiltError } from '../../../src/errors.js';
import { createReporter, defaultReporterKind, describeResult } from '../../../src/ui/reporter.js';
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
