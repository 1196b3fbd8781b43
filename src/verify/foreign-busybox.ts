import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DappdepsError } from '../errors.js';
import type { Architecture } from '../manifest/architectures.js';

const run = promisify(execFile);

/**
 * Copies the static busybox of Debian's `busybox-static` package for `arch` to `to`: downloaded by apt (which checks
 * it against the mirror's signed index) and unpacked with dpkg-deb, never installed. apt must know the architecture
 * (`dpkg --add-architecture`, then `apt-get update`), as `scripts/ensure-engine.sh --arch` leaves it.
 */
export async function fetchForeignBusybox(arch: Architecture, to: string): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-busybox-'));
  try {
    await run('apt-get', ['download', '-q', `busybox-static:${arch.debian}`], { cwd: dir }).catch((cause: unknown) => {
      const reason = ((cause as { stderr?: string }).stderr ?? String(cause)).trim().split('\n').pop();
      throw new DappdepsError(`cannot download Debian's busybox-static for ${arch.debian}: ${reason}`, {
        cause,
        hint: `run \`dappdeps doctor --fix --arch ${arch.debian}\` as root (it adds the architecture to apt)`,
      });
    });
    const deb = (await readdir(dir)).find((f) => f.endsWith('.deb'));
    if (!deb) throw new DappdepsError(`apt-get download of busybox-static:${arch.debian} left no package`);
    await run('dpkg-deb', ['-x', path.join(dir, deb), path.join(dir, 'root')]);
    await copyFile(path.join(dir, 'root/bin/busybox'), to);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
