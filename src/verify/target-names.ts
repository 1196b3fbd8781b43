import { UsageError } from '../errors.js';

/**
 * The smoke matrix' targets: scratch + static busybox (no libc), empty scratch, the binary base image (Debian
 * bookworm), the older and newer Debian releases, a musl-only image, the base image with a read-only root, and
 * the base image as a non-root user with no writable home.
 */
export const TARGET_NAMES = [
  'busybox',
  'empty',
  'base',
  'bullseye',
  'trixie',
  'sid',
  'musl',
  'read-only',
  'non-root',
] as const;

export type TargetName = (typeof TARGET_NAMES)[number];

/** What `verify` runs by default: quick enough for the main job (the three targets need no bootstrap but the base's). */
export const QUICK_TARGETS: readonly TargetName[] = ['busybox', 'empty', 'base'];

const ALIASES: Record<string, TargetName> = { bookworm: 'base', nonroot: 'non-root', readonly: 'read-only' };

const isTargetName = (name: string): name is TargetName => (TARGET_NAMES as readonly string[]).includes(name);

/**
 * `--targets` as given: `quick` (the default), `all`, or target names separated by commas (`debian:trixie` is
 * `trixie`), in the order given, each once. An unknown name is a usage error listing the known ones.
 */
export function parseTargetSelection(text: string): TargetName[] {
  const chosen: TargetName[] = [];
  for (const word of text.split(',').map((w) => w.trim())) {
    if (word === '') continue;
    const group = word === 'all' ? TARGET_NAMES : word === 'quick' ? QUICK_TARGETS : undefined;
    const bare = word.replace(/^debian:/, '');
    const name = ALIASES[bare] ?? bare;
    if (!group && !isTargetName(name)) {
      throw new UsageError(
        `unknown target "${word}": choose from quick, all, ${TARGET_NAMES.join(', ')} (separated by commas)`,
      );
    }
    for (const n of group ?? [name as TargetName]) if (!chosen.includes(n)) chosen.push(n);
  }
  if (chosen.length === 0) throw new UsageError('--targets names no target: give quick, all or target names');
  return chosen;
}

const BUILT_TARGETS: Record<string, TargetName> = {
  'target-busybox': 'busybox',
  'target-empty': 'empty',
  'target-musl': 'musl',
  'target-nonroot': 'non-root',
};

/** The target `dappdeps targets` makes as `ref` (`dappdeps/target-busybox:1` → busybox), if it is one. */
export function smokeTargetOfImage(ref: string): TargetName | undefined {
  const m = /(?:^|\/)(target-[a-z]+):1(?:-[a-z0-9]+)?$/.exec(ref);
  return m?.[1] ? BUILT_TARGETS[m[1]] : undefined;
}
