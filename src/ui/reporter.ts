import ora, { type Ora } from 'ora';
import type { BuildStep } from '../orchestrator/build-step.js';
import type { NodeResult } from '../orchestrator/dag-scheduler.js';
import { DappdepsError } from '../errors.js';
import type { Output } from './output.js';

/** Progress of a multi-image run, shown as it happens. */
export interface Reporter {
  /** An image started building; `log` is the file its build log is written to as it goes. */
  start(name: string, log?: string): void;
  /** A building image's step changed, or the step said what it is doing. */
  step(name: string, step: BuildStep): void;
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

export interface ReporterOptions {
  /**
   * Plain and JSON: an image that printed nothing for this long gets a heartbeat line (image, step, elapsed),
   * so a CI service's no-output limit never ends a slow build. Default 60 s.
   */
  heartbeatMs?: number;
}

/** The heartbeat interval: DAPPDEPS_HEARTBEAT_SECONDS (for tests), else 60 s. */
export function heartbeatFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.DAPPDEPS_HEARTBEAT_SECONDS);
  return Number.isFinite(value) && value > 0 ? value * 1000 : 60_000;
}

export function createReporter(kind: ReporterKind, output: Output, options: ReporterOptions = {}): Reporter {
  const heartbeatMs = options.heartbeatMs ?? 60_000;
  if (kind === 'json') return jsonReporter(output, heartbeatMs);
  if (kind === 'plain') return plainReporter(output, heartbeatMs);
  return spinnerReporter();
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** `2m05s`, `45s`: elapsed time as a heartbeat says it. */
export function elapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const m = Math.floor(total / 60);
  return m > 0 ? `${m}m${String(total % 60).padStart(2, '0')}s` : `${total}s`;
}

const stepText = (step: BuildStep | undefined) =>
  step ? `${step.step}${step.detail ? ` (${step.detail})` : ''}` : 'preparing';

interface Running {
  started: number;
  /** When this image last printed a line. */
  said: number;
  step?: BuildStep;
}

/**
 * The running images of a plain or JSON reporter, and the timer that gives each a heartbeat when it has
 * said nothing for `heartbeatMs`.
 */
function runningImages(heartbeatMs: number, beat: (name: string, image: Running, now: number) => void) {
  const running = new Map<string, Running>();
  const timer = setInterval(
    () => {
      const now = performance.now();
      for (const [name, image] of running) {
        if (now - image.said < heartbeatMs) continue;
        image.said = now;
        beat(name, image, now);
      }
    },
    Math.min(1000, heartbeatMs / 4),
  );
  timer.unref(); // never keeps the process alive
  return { running, stop: () => clearInterval(timer) };
}

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

function plainReporter(output: Output, heartbeatMs: number): Reporter {
  const { running, stop } = runningImages(heartbeatMs, (name, image, now) =>
    output.err(`${name}: still building after ${elapsed(now - image.started)}, at ${stepText(image.step)}`),
  );
  return {
    start: (name, log) => {
      const now = performance.now();
      running.set(name, { started: now, said: now });
      output.err(`${name}: building${log ? `, log: ${log}` : ''}`);
    },
    step: (name, step) => {
      const image = running.get(name);
      const header = image?.step?.step !== step.step;
      if (image) image.step = step;
      // Only a new step gets its own line: what a step is doing shows in heartbeats.
      if (!header) return;
      if (image) image.said = performance.now();
      output.err(`${name}: ${step.step}`);
    },
    finish: (r) => {
      running.delete(r.name);
      output.err(describeResult(r));
    },
    info: (message) => output.err(message),
    close: stop,
  };
}

function jsonReporter(output: Output, heartbeatMs: number): Reporter {
  const emit = (event: object) => output.out(JSON.stringify({ time: new Date().toISOString(), ...event }));
  const { running, stop } = runningImages(heartbeatMs, (image, r, now) =>
    emit({ event: 'heartbeat', image, elapsedMs: Math.round(now - r.started), ...(r.step ?? {}) }),
  );
  return {
    start: (image, log) => {
      const now = performance.now();
      running.set(image, { started: now, said: now });
      emit({ event: 'start', image, ...(log ? { log } : {}) });
    },
    step: (image, step) => {
      const r = running.get(image);
      if (r) Object.assign(r, { step, said: performance.now() });
      emit({ event: 'step', image, ...step });
    },
    finish: (r) => {
      running.delete(r.name);
      emit({
        event: r.state,
        image: r.name,
        durationMs: Math.round(r.durationMs),
        ...(r.because ? { because: r.because } : {}),
        ...(r.error ? { error: errorText(r.error) } : {}),
        ...(hintOf(r.error) ? { hint: hintOf(r.error) } : {}),
      });
    },
    info: (message) => emit({ event: 'info', message }),
    close: stop,
  };
}

/** One spinner naming every running image and its step; finished images become persistent lines above it. */
function spinnerReporter(): Reporter {
  const running = new Map<string, { started: number; step?: BuildStep }>();
  let spinner: Ora | undefined;
  const text = () => {
    const parts = [...running].map(
      ([n, r]) => `${n} (${elapsed(performance.now() - r.started)}${r.step ? `: ${stepText(r.step)}` : ''})`,
    );
    const line = `building ${parts.join(', ')}`;
    // A line wider than the terminal wraps, and ora then redraws the wrapped part on every tick.
    const width = (process.stderr.columns || 100) - 4;
    return line.length > width ? `${line.slice(0, width - 1)}…` : line;
  };
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
      running.set(name, { started: performance.now() });
      if (spinner) spinner.text = text();
      else spinner = ora({ text: text(), stream: process.stderr }).start();
    },
    step(name, step) {
      const r = running.get(name);
      if (r) r.step = step;
      if (spinner) spinner.text = text();
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
