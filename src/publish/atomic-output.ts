import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DappdepsError } from '../errors.js';

/** What `--out` names: one file (replaced if it exists) or a folder (which must be missing or empty). */
export type OutputKind = 'file' | 'folder';

/**
 * Runs `write` on a temporary name beside `out`, then renames it into place, so `out` is either the whole
 * result or untouched: on any failure (a full disk, an engine error, an interrupt) the temporary is removed.
 */
export async function writeAtomically<T>(
  out: string,
  kind: OutputKind,
  write: (temporary: string) => Promise<T>,
): Promise<T> {
  const target = path.resolve(out);
  const existing = await fs.lstat(target).catch(() => undefined);
  if (kind === 'folder' && existing) {
    if (!existing.isDirectory()) throw new DappdepsError(`--out ${out} exists and is not a folder`);
    if ((await fs.readdir(target)).length > 0) throw new DappdepsError(`--out ${out} is not empty`);
  }
  if (kind === 'file' && existing?.isDirectory()) throw new DappdepsError(`--out ${out} is a folder, not a file`);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.dappdeps-${randomBytes(4).toString('hex')}`,
  );
  try {
    const result = await write(temporary);
    if (kind === 'folder' && existing) await fs.rmdir(target);
    await fs.rename(temporary, target);
    return result;
  } catch (error) {
    await fs.rm(temporary, { recursive: true, force: true });
    throw writeFailure(error, out);
  }
}

/** A full disk or a permission problem as the user's problem with `out`; errors of ours pass unchanged. */
export function writeFailure(error: unknown, out: string): unknown {
  const code = errnoOf(error);
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new DappdepsError(`no space left on the device while writing ${out}; nothing was written`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new DappdepsError(`cannot write ${out}: ${(error as Error).message}`, { cause: error });
  return error;
}

/** The errno code of an error or of the errors it wraps (extraction wraps the file system's). */
function errnoOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}
