import type { DistroLock } from './lock-file.js';

export interface LockChange {
  name: string;
  /** Absent for a package the new lock adds. */
  from?: string;
  /** Absent for a package the new lock drops. */
  to?: string;
}

/** Packages whose locked version differs between two locks (pure), sorted by name. */
export function lockChanges(before: DistroLock | undefined, after: DistroLock): LockChange[] {
  const old = before?.packages ?? {};
  const names = [...new Set([...Object.keys(old), ...Object.keys(after.packages)])].sort();
  return names.flatMap((name) => {
    const from = old[name]?.version;
    const to = after.packages[name]?.version;
    return from === to ? [] : [{ name, ...(from ? { from } : {}), ...(to ? { to } : {}) }];
  });
}
