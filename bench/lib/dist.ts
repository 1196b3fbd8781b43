import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { exec } from './exec.js';
import { repoRoot } from './fixture.js';

/**
 * Makes sure dist/ holds a compile of the current src/ (children measured for memory run dist/, not tsx):
 * runs `npm run build` when a source file is newer than its compiled file. Returns whether it compiled.
 */
export async function ensureDist(): Promise<boolean> {
  const src = path.join(repoRoot, 'src');
  const entries = await readdir(src, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const file = path.join(e.parentPath, e.name);
    const compiled = path.join(repoRoot, 'dist', path.relative(src, file).replace(/\.ts$/, '.js'));
    const [s, d] = await Promise.all([stat(file), stat(compiled).catch(() => undefined)]);
    if (!d || d.mtimeMs < s.mtimeMs) {
      await exec('npm', ['run', '--silent', 'build', '--prefix', repoRoot]);
      return true;
    }
  }
  return false;
}
