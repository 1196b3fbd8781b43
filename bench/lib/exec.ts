import { spawn } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** A command that exited non-zero, with all it printed (a failed build's output still names the images it created). */
export class ExecError extends Error {
  constructor(
    message: string,
    readonly result: ExecResult,
  ) {
    super(message);
  }
}

/** Runs a command to its end; rejects with an ExecError (message: its stderr tail) when it exits non-zero. */
export function exec(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (code === 0) resolve(result);
      else
        reject(
          new ExecError(
            `${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${result.stderr.slice(-2000)}`,
            result,
          ),
        );
    });
  });
}

/** Milliseconds `fn` took, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}
