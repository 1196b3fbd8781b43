import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchScope } from './scope.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A copy of a fixture distro folder (with its own templates) inside the scope's temp folder, its repository
 * and volume prefix made unique to the scope, and the manifests in `omit` left out. `variant` gives one run of
 * several its own folder and repository (`<scope repository>/<variant>`), still under the scope's cleanup.
 */
export async function copyFixtureDistro(
  source: string,
  scope: BenchScope,
  omit: readonly string[] = [],
  variant?: string,
): Promise<string> {
  const dir = variant ? path.join(scope.tmp, variant, 'distro') : path.join(scope.tmp, 'distro');
  const repository = variant ? `${scope.repository}/${variant}` : scope.repository;
  await cp(source, dir, { recursive: true });
  for (const name of omit) await rm(path.join(dir, `${name}.yaml`));
  const settings = path.join(dir, 'distro.yaml');
  const text = await readFile(settings, 'utf8');
  await writeFile(
    settings,
    text
      .replace(/^repository: .*$/m, `repository: ${repository}`)
      .replace(/^volumePrefix: .*$/m, `volumePrefix: ${repository.replace(/\//g, '-')}-`),
  );
  return dir;
}
