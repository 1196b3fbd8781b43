import { readFile } from 'node:fs/promises';
import { EmulationError } from '../errors.js';
import { hostArchitecture, type Architecture } from '../manifest/architectures.js';

const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

export interface BinfmtEntry {
  enabled: boolean;
  interpreter: string | undefined;
  flags: string;
}

/** One `/proc/sys/fs/binfmt_misc/<name>` file: "enabled", "interpreter …", "flags: PF", "offset …", "magic …". */
export function parseBinfmtEntry(text: string): BinfmtEntry {
  const lines = text.split('\n').map((l) => l.trim());
  return {
    enabled: lines[0] === 'enabled',
    interpreter: lines.find((l) => l.startsWith('interpreter '))?.slice('interpreter '.length),
    flags:
      lines
        .find((l) => l.startsWith('flags:'))
        ?.slice('flags:'.length)
        .trim() ?? '',
  };
}

export interface EmulationCheck {
  /** Node's process.arch of this machine. */
  nodeArch?: string;
  binfmtDir?: string;
  /** The engine's address: one that is not on this machine is not checked here. */
  dockerHost?: string | undefined;
}

/**
 * Makes sure containers of `arch` can run: natively, or through a binfmt_misc entry (Debian's qemu-user-static)
 * with the F flag, which opens the interpreter when registered so it also works inside containers. An engine on
 * another machine is not checked (its kernel is not this one's).
 */
export async function checkEmulation(arch: Architecture, check: EmulationCheck = {}): Promise<'native' | 'emulated'> {
  const { nodeArch = process.arch, binfmtDir = BINFMT_DIR, dockerHost = process.env.DOCKER_HOST } = check;
  if (hostArchitecture(nodeArch)?.debian === arch.debian) return 'native';
  if (dockerHost && !dockerHost.startsWith('unix://')) return 'emulated';
  const file = `${binfmtDir}/${arch.binfmtEntry}`;
  const hint = `run \`dappdeps doctor --fix --arch ${arch.debian}\` as root: it installs qemu-user-static and registers it`;
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined)
    throw new EmulationError(`cannot run ${arch.debian} programs here: no ${file} (qemu-user-static not registered)`, {
      hint,
    });
  const entry = parseBinfmtEntry(text);
  if (!entry.enabled)
    throw new EmulationError(`cannot run ${arch.debian} programs here: ${file} is disabled`, { hint });
  if (!entry.flags.includes('F'))
    throw new EmulationError(
      `${file} lacks the F flag (flags: ${entry.flags || 'none'}): its interpreter cannot be found inside containers`,
      { hint },
    );
  return 'emulated';
}
