import { constants } from 'node:fs';
import { access, readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import { readElf } from '../../audit/elf-reader.js';
import type { Check } from './doctor-report.js';

const GiB = 1024 ** 3;
/** A whole build (toolchain, base, git, ansible, their build layers and extracted prefixes) takes about this. */
const BUILD_SPACE = 5 * GiB;

/** The nearest existing folder at or above `dir` (the work folder may not exist yet). */
async function existingAncestor(dir: string): Promise<string> {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (
      await access(at).then(
        () => true,
        () => false,
      )
    )
      return at;
    if (at === path.dirname(at)) return at;
  }
}

export async function freeDisk(workDir: string): Promise<Check> {
  const at = await existingAncestor(workDir);
  const { bavail, bsize } = await statfs(at);
  const free = bavail * bsize;
  const writable = await access(at, constants.W_OK).then(
    () => true,
    () => false,
  );
  const detail = `${(free / GiB).toFixed(1)} GiB free in ${workDir}${writable ? '' : ' (not writable)'}`;
  if (!writable)
    return {
      name: 'work folder',
      status: 'missing',
      detail,
      fix: 'give build and verify --work-dir DIR, a folder you can write',
    };
  return free >= BUILD_SPACE
    ? { name: 'work folder', status: 'ok', detail }
    : {
        name: 'work folder',
        status: 'missing',
        detail: `${detail}; a build of the distro needs about ${BUILD_SPACE / GiB} GiB`,
        fix: 'free some space, or give build --work-dir DIR on a bigger disk',
      };
}

/** qemu-user-static registered with the F flag: containers of arm64 images run on this machine. */
export async function arm64Emulation(machine: string): Promise<Check> {
  const name = 'arm64 emulation';
  const neededBy = 'build, verify and lock with --arch arm64';
  if (machine === 'arm64' || machine === 'aarch64')
    return { name, status: 'ok', detail: 'this machine is arm64', neededBy };
  const entry = await readFile('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8').catch(() => undefined);
  if (entry && /^flags: .*F/m.test(entry) && /^enabled/m.test(entry))
    return {
      name,
      status: 'ok',
      detail: `qemu-aarch64 registered (${/^interpreter (.*)$/m.exec(entry)?.[1] ?? '?'})`,
      neededBy,
    };
  return {
    name,
    status: 'missing',
    detail: entry ? 'qemu-aarch64 is registered without the F flag or disabled' : 'no qemu-aarch64 in binfmt_misc',
    neededBy,
    fix: 'run `dappdeps doctor --fix --arch arm64` as root (installs qemu-user-static and registers it)',
  };
}

/** Debian's static busybox on the host: verify builds the smoke matrix's no-libc target from it. */
export async function staticBusybox(targetBuilt: boolean): Promise<Check> {
  const name = 'busybox-static';
  const neededBy = 'verify (the busybox target of its smoke matrix)';
  if (targetBuilt) return { name, status: 'ok', detail: 'the busybox target image exists already', neededBy };
  const elf = await readElf('/bin/busybox').catch(() => undefined);
  if (elf && !elf.interpreter) return { name, status: 'ok', detail: '/bin/busybox is static', neededBy };
  return {
    name,
    status: 'missing',
    detail: elf ? '/bin/busybox is dynamically linked' : 'no /bin/busybox',
    neededBy,
    fix: 'apt-get install busybox-static (or run `dappdeps doctor --fix` as root)',
  };
}
