import type { ContainerClient } from '../docker/container-client.js';
import type { LockError } from '../errors.js';
import type { Distro, ImageModel } from '../manifest/model.js';
import { runAptQuery } from './apt-query.js';
import type { LockScriptOutput } from './apt-records.js';
import type { DistroLock } from './lock-file.js';
import { lockError, type LockLocation } from './lock-location.js';
import { lockedImages, requestedPackages } from './resolve-lock.js';

export interface PackageCheck {
  name: string;
  locked: string;
  /** `mirror`: the mirror lists this version with the locked sha256; `base`: the base image holds it. */
  source: 'mirror' | 'base' | 'missing' | 'hash-mismatch';
  /** The version apt would install today, when it is not the locked one. */
  newer?: string;
  /** The mirror's sha256 of the locked version, when it differs from the lock's. */
  mirrorSha256?: string;
}

export interface LockCheck {
  installable: boolean;
  /** Images whose manifest asks for other packages than the lock was made for. */
  stale: { image: string; added: string[]; removed: string[] }[];
  packages: PackageCheck[];
  updates: { name: string; locked: string; candidate: string }[];
}

/** The lock's package names for the images (all of them by default). */
function packagesOf(lock: DistroLock, images: readonly string[]): string[] {
  return [...new Set(images.flatMap((i) => lock.images[i]?.packages ?? []))].sort();
}

/** Whether the manifests still ask for what the lock was made for; images missing from the lock count as stale. */
export function staleImages(lock: DistroLock, images: readonly ImageModel[]): LockCheck['stale'] {
  const stale: LockCheck['stale'] = [];
  for (const image of images) {
    const want = requestedPackages(image);
    const had = lock.images[image.name]?.requested;
    if (!had) {
      stale.push({ image: image.name, added: want, removed: [] });
      continue;
    }
    const added = want.filter((p) => !had.includes(p));
    const removed = had.filter((p) => !want.includes(p));
    if (added.length + removed.length > 0) stale.push({ image: image.name, added, removed });
  }
  return stale;
}

/** Compare the lock with apt's answers (pure). */
export function compareLock(lock: DistroLock, names: readonly string[], out: LockScriptOutput): LockCheck['packages'] {
  const base = new Map(out.base.map((r) => [r.name, r.version]));
  const exact = new Map(out.exact.map((r) => [`${r.name}=${r.version}`, r]));
  const candidates = new Map(out.candidates.map((r) => [r.name, r.version]));
  return names.map((name) => {
    const p = lock.packages[name];
    if (!p) return { name, locked: '', source: 'missing' as const };
    const listed = exact.get(`${name}=${p.version}`);
    const candidate = candidates.get(name);
    const newer = candidate && candidate !== p.version ? { newer: candidate } : {};
    if (listed?.sha256 && p.sha256 && listed.sha256 !== p.sha256)
      return { name, locked: p.version, source: 'hash-mismatch' as const, mirrorSha256: listed.sha256, ...newer };
    if (listed?.sha256 && p.sha256) return { name, locked: p.version, source: 'mirror' as const, ...newer };
    if (base.get(name) === p.version) return { name, locked: p.version, source: 'base' as const, ...newer };
    return { name, locked: p.version, source: 'missing' as const, ...newer };
  });
}

/** Ask the mirror (in a container of the base image) whether the lock is installable, and what is newer. */
export async function checkLock(
  distro: Distro,
  lock: DistroLock,
  containers: Pick<ContainerClient, 'run'>,
  images: readonly ImageModel[] = lockedImages(distro),
  signal?: AbortSignal,
): Promise<LockCheck> {
  const stale = staleImages(lock, images);
  const names = packagesOf(
    lock,
    images.map((i) => i.name),
  );
  const pins = names.flatMap((n) => (lock.packages[n] ? [`${n}=${lock.packages[n].version}`] : []));
  const out = await runAptQuery(containers, lock.baseImage, { mode: 'check', pins }, signal);
  const packages = compareLock(lock, names, out);
  const updates = packages.flatMap((p) => (p.newer ? [{ name: p.name, locked: p.locked, candidate: p.newer }] : []));
  const installable = stale.length === 0 && packages.every((p) => p.source === 'mirror' || p.source === 'base');
  return { installable, stale, packages, updates };
}

/** The error `build` stops with before anything is built, naming what is wrong and the command that mends it. */
export function lockProblem(check: LockCheck, where: LockLocation): LockError | undefined {
  if (check.stale.length > 0)
    return lockError(
      where,
      `${where.file} is stale: ${check.stale
        .map(
          (s) => `${s.image} asks for ${[...s.added.map((a) => `+${a}`), ...s.removed.map((r) => `-${r}`)].join(' ')}`,
        )
        .join('; ')}`,
    );
  const gone = check.packages.filter((p) => p.source === 'missing');
  if (gone.length > 0)
    return lockError(
      where,
      `the mirror no longer has ${gone.map((p) => `${p.name} ${p.locked}`).join(', ')} (locked in ${where.file})`,
    );
  const changed = check.packages.filter((p) => p.source === 'hash-mismatch');
  if (changed.length > 0)
    return lockError(
      where,
      `the mirror's ${changed.map((p) => `${p.name} ${p.locked}`).join(', ')} differ${changed.length === 1 ? 's' : ''} from the locked sha256`,
      `the mirror serves other files under the locked versions: check the mirror before running \`${where.command}\` again`,
    );
  return undefined;
}
