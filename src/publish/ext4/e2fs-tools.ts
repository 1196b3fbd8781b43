import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DappdepsError } from '../../errors.js';

const run = promisify(execFile);

/** e2fsprogs lives in /usr/sbin, which an unprivileged user's PATH often lacks. */
const PATH = [process.env.PATH, '/usr/sbin', '/sbin'].filter(Boolean).join(':');

/**
 * Runs one e2fsprogs tool on a filesystem image file (never a device, never mounted: no privileges needed) and
 * returns its output. A failure names the tool and carries its own message; a missing tool says what to install.
 */
export async function e2fs(
  tool: 'mkfs.ext4' | 'debugfs' | 'dumpe2fs' | 'resize2fs',
  args: readonly string[],
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(tool, args, { env: { ...process.env, PATH }, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    if (failure.code === 'ENOENT')
      throw new DappdepsError(`${tool} is missing: install e2fsprogs (apt-get install e2fsprogs)`);
    const said = `${failure.stderr ?? ''}${failure.stdout ?? ''}`.trim().split('\n').slice(-5).join('\n  ');
    throw new E2fsError(tool, said || failure.message, error);
  }
}

/** An e2fsprogs tool failed; `output` is what it said, to tell a full image from a full disk. */
export class E2fsError extends DappdepsError {
  /** ENOSPC when the disk the image is written to is full, as Node's own errors say it. */
  readonly code: string | undefined;

  constructor(
    readonly tool: string,
    readonly output: string,
    cause: unknown,
  ) {
    super(`${tool} failed:\n  ${output}`, { cause });
    this.code = /No space left on device|short write/i.test(output) ? 'ENOSPC' : undefined;
  }
}
