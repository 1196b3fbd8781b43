import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { repoRoot } from './paths.js';

const run = promisify(execFile);
const script = path.join(repoRoot, 'scripts/test-registry.sh');

/** A real registry (Debian's docker-registry) on 127.0.0.1, storage in `dir`, via scripts/test-registry.sh. */
export async function startRegistry(dir: string): Promise<{ address: string; stop(): Promise<void> }> {
  const { stdout } = await run('bash', [script, 'start', dir]);
  return {
    address: stdout.trim(),
    stop: async () => {
      await run('bash', [script, 'stop', dir]);
    },
  };
}
