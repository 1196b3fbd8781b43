import path from 'node:path';
import { LockError } from '../errors.js';
import type { Distro } from '../manifest/model.js';
import { LOCK_FILE, readLock, type DistroLock } from './lock-file.js';

/** Which lock a distro, as built for one suite and architecture, installs from, and the command that writes it. */
export interface LockLocation {
  /** `distro.lock` for the default suite and architecture, `distro.<suite>.lock`, `distro.<arch>.lock` or
   * `distro.<suite>.<arch>.lock` for others. */
  file: string;
  path: string;
  command: string;
}

/**
 * Each suite and architecture has its own lock: a suite's packages are others, and for another architecture the mirror's
 * versions are the same, but the base image's packages, the .debs' sha256s and some package lists (base's
 * build-stage gcc for arm64) are not.
 */
export function lockLocation(distro: Pick<Distro, 'dir' | 'platform' | 'settings' | 'suite'>): LockLocation {
  // `platform` is set exactly when the distro was made for another architecture than its default (`--arch`).
  const arch = distro.platform ? distro.settings.architecture.debian : undefined;
  const suite = distro.suite.isDefault ? undefined : distro.suite.name;
  const parts = [suite, arch].filter((p): p is string => p !== undefined);
  const file = parts.length > 0 ? `distro.${parts.join('.')}.lock` : LOCK_FILE;
  const options = [...(suite ? [`--suite ${suite}`] : []), ...(arch ? [`--arch ${arch}`] : [])];
  return { file, path: path.join(distro.dir, file), command: ['dappdeps lock', ...options].join(' ') };
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
  distro: Pick<Distro, 'dir' | 'platform' | 'settings' | 'suite'>,
): Promise<DistroLock | undefined> {
  const where = lockLocation(distro);
  const lock = await readLock(distro.dir, where.file);
  const arch = distro.settings.architecture.debian;
  if (lock && lock.architecture !== arch)
    throw lockError(where, `${where.path} locks ${lock.architecture} packages, not ${arch}`);
  if (lock && lock.baseImage !== distro.settings.binary.baseImage)
    throw lockError(
      where,
      `${where.path} locks the packages of ${lock.baseImage}, not ${distro.settings.binary.baseImage}`,
    );
  return lock;
}
