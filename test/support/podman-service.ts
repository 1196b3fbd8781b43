import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

const run = promisify(execFile);
const script = path.join(repoRoot, 'scripts/podman-service.sh');

/**
 * Podman's API service (scripts/podman-service.sh: Debian's podman, installed when missing) with its state in
 * DAPPDEPS_PODMAN_DIR, default /var/lib/dappdeps-podman: the images it holds stay there for the next run.
 */
export async function startPodman(): Promise<{ host: string; stop(): Promise<void> }> {
  const dir = process.env.DAPPDEPS_PODMAN_DIR ?? '/var/lib/dappdeps-podman';
  const { stdout } = await run('bash', [script, 'start', dir], { maxBuffer: 1 << 20 });
  return {
    host: stdout.trim(),
    stop: async () => {
      await run('bash', [script, 'stop', dir]);
    },
  };
}
