import { Writable } from 'node:stream';
import type { DockerClient } from '../docker/docker-client.js';

/** A smoke command never takes this long; one that does is hanging. */
const RUN_TIMEOUT_MS = 180_000;

/** How a target's containers run: a read-only root with tmpfs mounts where the tools need them. */
export interface TargetRunOptions {
  readOnly?: boolean;
  /** Mount point → tmpfs options. */
  tmpfs?: Record<string, string>;
}

export interface CheckRequest {
  image: string;
  argv: string[];
  volumesFrom: string[];
  /** A substring the combined output must contain. */
  expect?: string;
  /** The target's way of running containers (read-only root, tmpfs). */
  run?: TargetRunOptions;
  signal: AbortSignal;
}

export interface CheckRun {
  argv: string[];
  /** The exit code; undefined when the command did not finish in time. */
  code: number | undefined;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
  passed: boolean;
}

/** Runs `argv` (no shell) in a new container of `image`; passes on exit 0 with the expected text in the output. */
export async function runCheck(docker: DockerClient, req: CheckRequest): Promise<CheckRun> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const timeout = AbortSignal.timeout(RUN_TIMEOUT_MS);
  let code: number | undefined;
  try {
    code = await docker.containers.run({
      image: req.image,
      cmd: req.argv,
      volumesFrom: req.volumesFrom,
      ...req.run,
      stdout: sink,
      stderr: sink,
      signal: AbortSignal.any([req.signal, timeout]),
    });
  } catch (error) {
    if (!timeout.aborted || req.signal.aborted) throw error;
    chunks.push(Buffer.from(`\n(no exit after ${RUN_TIMEOUT_MS / 1000} s: stopped)`));
  }
  const output = Buffer.concat(chunks).toString('utf8');
  const passed = code === 0 && (req.expect === undefined || output.includes(req.expect));
  return { argv: req.argv, code, output, passed };
}
