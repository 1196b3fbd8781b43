import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';

export interface SpawnedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The built CLI (`bin/dappdeps.js`) as a real process, so what it prints (a stack trace included) and its
 * exit code are what a user sees. `env` is added to this process's environment (e.g. DOCKER_HOST).
 */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): Promise<SpawnedRun> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/dappdeps.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    if (stdout.length < 65536) stdout += chunk.toString(); // a command's own output can be large: keep the start
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
