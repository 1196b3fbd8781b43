/**
 * ld.so's dynamic string tokens in RPATH, RUNPATH and NEEDED: `$ORIGIN`, `$LIB`, `$PLATFORM`, bare or in
 * braces (a bare token must end the string or be followed by `/`, as glibc's is_dst requires).
 *
 * `$LIB` and `$PLATFORM` depend on how the prefix's own ld.so was built and on the CPU, which an audit of
 * files cannot know, so they expand to every plausible value (`$LIB`: upstream glibc's `lib64`/`lib` and
 * Debian's multiarch `lib/<triplet>`); a library counts as found when any expansion finds it. `$PLATFORM`
 * is known only for the machines below; elsewhere the entry cannot be expanded and yields nothing, as
 * ld.so drops entries whose tokens it cannot expand.
 */
import type { ElfInfo } from './elf-reader.js';

/** e_machine → AT_PLATFORM values and the Debian multiarch triplet. */
const MACHINES: Record<number, { platforms: string[]; triplet: string }> = {
  3: { platforms: ['i386', 'i486', 'i586', 'i686'], triplet: 'i386-linux-gnu' },
  40: { platforms: ['v5l', 'v6l', 'v7l', 'v8l'], triplet: 'arm-linux-gnueabihf' },
  62: { platforms: ['x86_64'], triplet: 'x86_64-linux-gnu' },
  183: { platforms: ['aarch64'], triplet: 'aarch64-linux-gnu' },
};

const TOKEN = /\$(?:\{(ORIGIN|LIB|PLATFORM)\}|(ORIGIN|LIB|PLATFORM)(?=\/|$))/;

function tokenValues(token: string, origin: string, elf: Pick<ElfInfo, 'elfClass' | 'machine'>): string[] {
  const machine = MACHINES[elf.machine];
  if (token === 'ORIGIN') return [origin];
  if (token === 'PLATFORM') return machine?.platforms ?? [];
  const lib = elf.elfClass === 64 ? 'lib64' : 'lib';
  return machine ? [lib, `lib/${machine.triplet}`] : [lib];
}

/**
 * Every expansion of `s` for an object whose directory is `origin`; `[s]` when it holds no token, `[]`
 * when a token cannot be expanded.
 */
export function expandTokens(s: string, origin: string, elf: Pick<ElfInfo, 'elfClass' | 'machine'>): string[] {
  const m = TOKEN.exec(s);
  if (!m) return [s];
  const head = s.slice(0, m.index);
  const tails = expandTokens(s.slice(m.index + m[0].length), origin, elf);
  return tokenValues(m[1] ?? m[2] ?? '', origin, elf).flatMap((v) => tails.map((t) => head + v + t));
}
