import { cp } from 'node:fs/promises';
import path from 'node:path';
import type { PrefixCache } from '../../src/prefix-cache/prefix-cache.js';
import type { Distro, ImageModel } from '../../src/manifest/model.js';
import { contextFiles, renderDistro } from '../../src/render/render-distro.js';
import { writeContexts } from '../../src/render/write-contexts.js';
import type { BenchScope } from './scope.js';

/** A binary build context rendered to disk for the docker CLI, tagged apart from the orchestrator's images. */
export interface PlainContext {
  image: ImageModel;
  tag: string;
  dir: string;
}

/** Every image's binary context (dependencies first), written under the scope's `plain/` folder. */
export async function renderPlainContexts(scope: BenchScope, distro: Distro): Promise<PlainContext[]> {
  const images = distro.index.withBuildDeps(distro.images.map((i) => i.name));
  // The docker CLI builds from disk: write each context whole, with the kit the orchestrator sends.
  const contexts = (await renderDistro(distro, images))
    .filter((c) => c.strategy === 'binary')
    .map((c) => ({ ...c, files: contextFiles(c) }));
  const root = path.join(scope.tmp, 'plain');
  await writeContexts(root, contexts, false);
  return contexts.map((ctx) => ({
    image: ctx.image,
    tag: scope.tag(`plain-${ctx.image.name}`, ctx.image.version),
    dir: path.join(root, ctx.dir),
  }));
}

/**
 * Copies each build-time dependency's prefix tree into `deps/<name>/` of the context, as the orchestrator
 * injects it into its context tar. `tagOf` names the image a dependency is extracted from (through `prefixes`).
 */
export async function injectBuildDeps(
  ctx: PlainContext,
  distro: Distro,
  prefixes: PrefixCache,
  tagOf: (dep: ImageModel) => string,
): Promise<void> {
  for (const dep of distro.index.buildDeps(ctx.image)) {
    const { root } = await prefixes.get(tagOf(dep), dep.prefix);
    await cp(root.dir, path.join(ctx.dir, 'deps', dep.name), { recursive: true, verbatimSymlinks: true });
  }
}
