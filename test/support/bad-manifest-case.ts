import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const badManifestsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/bad-manifests');

export async function badManifestCases(): Promise<string[]> {
  return (await readdir(badManifestsDir)).filter((name) => !name.startsWith('_')).sort();
}

/** A temporary distro folder: the shared valid distro.yaml, overlaid with the case's files. */
export async function assembleCase(name: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `dappdeps-bad-${name}-`));
  await cp(path.join(badManifestsDir, '_base'), dir, { recursive: true });
  await cp(path.join(badManifestsDir, name), dir, { recursive: true, filter: (src) => !src.endsWith('expected.txt') });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
