import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchScope } from './scope.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A copy of a fixture distro folder (with its own templates) inside the scope's temp folder, its repository
 * and volume prefix made unique to the scope, and the manifests in `omit` left out.
 */
export async function copyFixtureDistro(
  source: string,
  scope: BenchScope,
  omit: readonly string[] = [],
): Promise<string> {
  const dir = path.join(scope.tmp, 'distro');
  await cp(source, dir, { recursive: true });
  for (const name of omit) await rm(path.join(dir, `${name}.yaml`));
  const settings = path.join(dir, 'distro.yaml');
  const text = await readFile(settings, 'utf8');
  await writeFile(
    settings,
    text
      .replace(/^repository: .*$/m, `repository: ${scope.repository}`)
      .replace(/^volumePrefix: .*$/m, `volumePrefix: ${scope.repository}-`),
  );
  return dir;
}
