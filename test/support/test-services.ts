import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { repoRoot } from './paths.js';

const run = promisify(execFile);

export interface TestService {
  /** What the script printed: a registry's HOST:PORT, an engine's DOCKER_HOST. */
  address: string;
  stop(): Promise<void>;
}

/** A real service the tests start and stop with one of the project's scripts (`<script> start|stop DIR`). */
async function startService(script: string, dir: string): Promise<TestService> {
  const file = path.join(repoRoot, 'scripts', script);
  const { stdout } = await run('bash', [file, 'start', dir]);
  return {
    address: stdout.trim(),
    stop: async () => {
      await run('bash', [file, 'stop', dir]);
    },
  };
}

/** A real registry (Debian's docker-registry) on 127.0.0.1, storage in `dir`. */
export const startRegistry = (dir: string) => startService('test-registry.sh', dir);

/** A second, empty Docker engine with everything in `dir`; its address is a DOCKER_HOST. */
export const startEngine = (dir: string) => startService('test-engine.sh', dir);

/**
 * Podman's API service (Debian's podman, installed when missing) with everything in `dir`; its address is a
 * DOCKER_HOST. Its images stay in `dir` for the next start.
 */
export const startPodman = (dir: string) => startService('podman-service.sh', dir);
