import path from 'node:path';
import type { Distro } from '../manifest/model.js';

/** Logs and extracted dependency trees: `.dappdeps/` beside the distro folder unless --work-dir says otherwise. */
export function workDir(distro: Distro, option?: string): string {
  return option ? path.resolve(option) : path.join(path.dirname(distro.dir), '.dappdeps');
}
