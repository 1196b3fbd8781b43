import path from 'node:path';
import { LockError } from '../errors.js';
import type { Distro } from '../manifest/model.js';
import { LOCK_FILE, readLock, type DistroLock } from './lock-file.js';

/** Which lock a distro, as built for one architecture, installs from, and the command that writes it. */
export interface LockLocation {
  /** `distro.lock` for the default architecture (unchanged for it), `distro.<arch>.lock` for another. */
  file: string;
  path: string;
  command: string;
}

/**
 * Each architecture has its own lock: the mirror's versions are the same, but the base image's packages, the
 * .debs' sha256s and some package lists (base's build-stage gcc for arm64) are not.
 */
export function lockLocation(distro: Pick<Distro, 'dir' | 'platform' | 'settings'>): LockLocation {
  // `platform` is set exactly when the distro was made for another architecture than its default (`--arch`).
  const arch = distro.platform ? distro.settings.architecture.debian : undefined;
  const file = arch ? `distro.${arch}.lock` : LOCK_FILE;
  return { file, path: path.join(distro.dir, file), command: arch ? `dappdeps lock --arch ${arch}` : 'dappdeps lock' };
}

/** A LockError whose hint names the command that writes this lock. */
export function lockError(where: LockLocation, message: string, hint?: string): LockError {
  return new LockError(
    message,
    hint ?? `run \`${where.command}\` to resolve the packages again (and commit ${where.file})`,
  );
}

/** The distro's lock for its architecture, or undefined when there is none; one made for another architecture is an error. */
export async function readDistroLock(
  distro: Pick<Distro, 'dir' | 'platform' | 'settings'>,
): Promise<DistroLock | undefined> {
  const where = lockLocation(distro);
  const lock = await readLock(distro.dir, where.file);
  const arch = distro.settings.architecture.debian;
  if (lock && lock.architecture !== arch)
    throw lockError(where, `${where.path} locks ${lock.architecture} packages, not ${arch}`);
  return lock;
}
