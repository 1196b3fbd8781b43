import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../package-root.js';
import type { Distro } from '../manifest/model.js';
import type { Output } from '../ui/output.js';
import { isInstalledDistro } from './work-dir.js';

export interface DistroOptions {
  distro?: string;
}

export function addDistroOption(command: Command): Command {
  return command.option('--distro <dir>', 'distro folder (default: ./distro, else the one shipped with dappdeps)');
}

/** The distro folder: --distro, else ./distro when it has a distro.yaml, else the packaged one. */
export function distroDir(options: DistroOptions): string {
  if (options.distro) return path.resolve(options.distro);
  const local = path.resolve('distro');
  return existsSync(path.join(local, 'distro.yaml')) ? local : path.join(packageRoot, 'distro');
}

/** Load and validate the distro; warnings (e.g. md5 pins) go to stderr once, quietly summarised. */
export async function openDistro(options: DistroOptions, output: Output, showWarnings = false): Promise<Distro> {
  // Loaded here, not at start: zod and yaml are most of a command's start-up time.
  const { loadDistro } = await import('../manifest/load-distro.js');
  const distro = await loadDistro(distroDir(options));
  if (showWarnings) {
    for (const w of distro.warnings) output.err(`warning: ${w.file}:${w.line}:${w.column}: ${w.field}: ${w.message}`);
  }
  return distro;
}

/**
 * Default output folder for rendered contexts: `images/` beside the distro folder; with an installed package's
 * distro, `images/` in the current folder.
 */
export function imagesDir(distro: Distro, out?: string): string {
  if (out) return path.resolve(out);
  return isInstalledDistro(distro) ? path.resolve('images') : path.join(path.dirname(distro.dir), 'images');
}
