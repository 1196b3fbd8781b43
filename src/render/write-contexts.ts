import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RenderedContext } from './render-distro.js';
import { fileMode, type RenderedFiles } from './rendered-files.js';

/**
 * Write rendered contexts under `outDir/<name>/<strategy>/`. Each context is written to a temporary
 * sibling and renamed into place, so an interrupted render never leaves a half-written context.
 * With `prune`, image folders that no rendered context owns are removed (a full render mirrors distro/).
 */
export async function writeContexts(
  outDir: string,
  contexts: readonly RenderedContext[],
  prune: boolean,
): Promise<void> {
  for (const ctx of contexts) {
    const final = path.join(outDir, ctx.dir);
    const temp = `${final}.tmp-${process.pid}`;
    await rm(temp, { recursive: true, force: true });
    try {
      await writeFiles(temp, ctx.files);
      await rm(final, { recursive: true, force: true });
      await rename(temp, final);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
  if (prune) {
    const owned = new Set(contexts.map((c) => c.dir));
    const ownedImages = new Set(contexts.map((c) => c.image.name));
    for (const name of await readdir(outDir).catch(() => [] as string[])) {
      if (!ownedImages.has(name)) {
        await rm(path.join(outDir, name), { recursive: true, force: true });
        continue;
      }
      for (const strategy of await readdir(path.join(outDir, name))) {
        if (!owned.has(`${name}/${strategy}`))
          await rm(path.join(outDir, name, strategy), { recursive: true, force: true });
      }
    }
  }
}

/** Write `files` into `dir`; scripts (starting with `#!`) are made executable. */
export async function writeFiles(dir: string, files: RenderedFiles): Promise<void> {
  for (const [rel, content] of files) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content, { mode: fileMode(content) });
  }
}

/** Paths (relative to outDir) that differ between what is on disk and what rendering produces. */
export async function staleFiles(outDir: string, contexts: readonly RenderedContext[]): Promise<string[]> {
  const expected = new Map<string, Buffer>();
  for (const ctx of contexts) {
    for (const [rel, content] of ctx.files) expected.set(`${ctx.dir}/${rel}`, Buffer.from(content));
  }
  const actual = await listFiles(outDir);
  const stale: string[] = [];
  for (const [rel, content] of expected) {
    if (!actual.includes(rel)) stale.push(`${rel} (missing)`);
    else if (!content.equals(await readFile(path.join(outDir, rel)))) stale.push(`${rel} (differs)`);
  }
  for (const rel of actual) if (!expected.has(rel)) stale.push(`${rel} (not rendered)`);
  return stale.sort();
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}
