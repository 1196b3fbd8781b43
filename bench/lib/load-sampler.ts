import os from 'node:os';
import { median } from './report.js';

/**
 * The machine's 1-minute load average, sampled every `everyMs` while a benchmark runs: on a shared machine the
 * load during the run, not just at its end, says how far the times can be trusted.
 */
export class LoadSampler {
  readonly #samples: number[] = [os.loadavg()[0] ?? 0];
  readonly #timer: NodeJS.Timeout;

  constructor(everyMs = 15_000) {
    this.#timer = setInterval(() => this.#samples.push(os.loadavg()[0] ?? 0), everyMs).unref();
  }

  /** Stops sampling; `min–max, median m (n samples)` of what was seen. */
  stop(): string {
    clearInterval(this.#timer);
    this.#samples.push(os.loadavg()[0] ?? 0);
    const s = this.#samples;
    return `${Math.min(...s).toFixed(1)}–${Math.max(...s).toFixed(1)}, median ${median(s).toFixed(1)} (${s.length} samples of the 1-minute load average on ${os.availableParallelism()} CPUs)`;
  }
}
