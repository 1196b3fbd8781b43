import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DappdepsError } from '../errors.js';
import type { Distro } from '../manifest/model.js';
import { packageRoot } from '../package-root.js';

/**
 * Whether the distro is the one shipped in an installed package: not the user's own (--distro, ./distro), and
 * not a repository checkout's (which has .git). Its folder belongs to the installation, and is not written.
 */
export function isInstalledDistro(distro: Pick<Distro, 'dir'>): boolean {
  return path.resolve(distro.dir) === path.join(packageRoot, 'distro') && !existsSync(path.join(packageRoot, '.git'));
}

/** How --work-dir's default reads in help texts. */
export const WORK_DIR_DEFAULT =
  ".dappdeps/ beside the distro folder; with the installed package's distro, $XDG_CACHE_HOME/dappdeps, else ~/.cache/dappdeps";

/** `$XDG_CACHE_HOME/dappdeps`, else `~/.cache/dappdeps`. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'dappdeps');
}

/**
 * Logs and extracted dependency trees: --work-dir; else `.dappdeps/` beside the distro folder; with an installed
 * package's distro, the user's cache folder.
 */
export function workDir(distro: Pick<Distro, 'dir'>, option?: string): string {
  if (option) return path.resolve(option);
  return isInstalledDistro(distro) ? userCacheDir() : path.join(path.dirname(distro.dir), '.dappdeps');
}

/**
 * Creates `dir` (a default location, or the one `option` gave), turning a permission error into one line that
 * names the option to use instead.
 */
export async function writableDir(dir: string, option: string): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
    return dir;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw error;
    throw new DappdepsError(`cannot write to ${dir} (${code})`, { hint: `give ${option} DIR, a folder you can write` });
  }
}
