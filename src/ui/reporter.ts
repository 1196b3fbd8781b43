import ora, { type Ora } from 'ora';
import type { NodeResult } from '../orchestrator/dag-scheduler.js';
import { DappdepsError } from '../errors.js';
import type { Output } from './output.js';

/** Progress of a multi-image run, shown as it happens. */
export interface Reporter {
  start(name: string): void;
  finish(result: NodeResult): void;
  /** A side note (e.g. "bootstrapping debian:bookworm"). */
  info(message: string): void;
  close(): void;
}

export type ReporterKind = 'spinner' | 'plain' | 'json';

/** A spinner only where a person watches a capable terminal; plain lines in CI, on pipes, TERM=dumb, NO_COLOR. */
export function defaultReporterKind(
  env: NodeJS.ProcessEnv = process.env,
  stream: { isTTY?: boolean } = process.stderr,
): ReporterKind {
  if (!stream.isTTY || env.CI || env.TERM === 'dumb' || env.NO_COLOR !== undefined) return 'plain';
  return 'spinner';
}

export function createReporter(kind: ReporterKind, output: Output): Reporter {
  if (kind === 'json') return jsonReporter(output);
  if (kind === 'plain') return plainReporter(output);
  return spinnerReporter();
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function describeResult(r: NodeResult): string {
  switch (r.state) {
    case 'built':
      return `${r.name}: built in ${seconds(r.durationMs)}`;
    case 'cached':
      return `${r.name}: cached (same content hash)`;
    case 'pulled':
      return `${r.name}: pulled from the build cache in ${seconds(r.durationMs)} (same content hash, audited)`;
    case 'failed':
      return `${r.name}: FAILED after ${seconds(r.durationMs)}: ${errorText(r.error)}${hintOf(r.error) ? ` (hint: ${hintOf(r.error)})` : ''}`;
    case 'skipped':
      return `${r.name}: skipped (${r.because ?? 'a dependency'} failed)`;
    case 'cancelled':
      return `${r.name}: cancelled`;
  }
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const hintOf = (error: unknown) => (error instanceof DappdepsError ? error.hint : undefined);

function plainReporter(output: Output): Reporter {
  return {
    start: (name) => output.err(`${name}: building`),
    finish: (r) => output.err(describeResult(r)),
    info: (message) => output.err(message),
    close: () => undefined,
  };
}

function jsonReporter(output: Output): Reporter {
  const emit = (event: object) => output.out(JSON.stringify({ time: new Date().toISOString(), ...event }));
  return {
    start: (image) => emit({ event: 'start', image }),
    finish: (r) =>
      emit({
        event: r.state,
        image: r.name,
        durationMs: Math.round(r.durationMs),
        ...(r.because ? { because: r.because } : {}),
        ...(r.error ? { error: errorText(r.error) } : {}),
        ...(hintOf(r.error) ? { hint: hintOf(r.error) } : {}),
      }),
    info: (message) => emit({ event: 'info', message }),
    close: () => undefined,
  };
}

/** One spinner naming every running image; finished images become persistent lines above it. */
function spinnerReporter(): Reporter {
  const running = new Map<string, number>();
  let spinner: Ora | undefined;
  const text = () => `building ${[...running].map(([n, t]) => `${n} (${seconds(performance.now() - t)})`).join(', ')}`;
  const timer = setInterval(() => {
    if (spinner && running.size) spinner.text = text();
  }, 1000);
  timer.unref(); // never keeps the process alive
  const persist = (symbol: 'succeed' | 'fail' | 'warn' | 'info', line: string) => {
    const s = spinner ?? ora({ stream: process.stderr });
    s[symbol](line);
    spinner = undefined;
    if (running.size) spinner = ora({ text: text(), stream: process.stderr }).start();
  };
  return {
    start(name) {
      running.set(name, performance.now());
      if (spinner) spinner.text = text();
      else spinner = ora({ text: text(), stream: process.stderr }).start();
    },
    finish(r) {
      running.delete(r.name);
      const symbol =
        r.state === 'failed'
          ? 'fail'
          : r.state === 'built' || r.state === 'cached' || r.state === 'pulled'
            ? 'succeed'
            : 'warn';
      persist(symbol, describeResult(r));
    },
    info: (message) => persist('info', message),
    close() {
      clearInterval(timer);
      spinner?.stop();
    },
  };
}
