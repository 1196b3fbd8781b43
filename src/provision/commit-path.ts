import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readImageToDiskWith } from '../image/image.js';
import type { ConfigChanges } from './config-changes.js';
import { listTar } from './layer-files.js';
import { loadResult } from './load-result.js';
import type { ProvisionPlan } from './plan-provision.js';
import type { ProvisionEngine } from './provision-engine.js';
import { rewriteImage, type RewrittenImage } from './rewrite-image.js';
import type { Survey } from './survey-engine.js';

export interface RewriteOptions {
  keepCaches?: boolean;
  changes: ConfigChanges;
  createdBy: string;
  product: Survey['engine']['product'];
  tag: string;
  signal?: AbortSignal;
  onStep?: (text: string) => void;
}

/**
 * The save, rewrite and load phases of the committed image, in a work folder of their own. Each layer of the
 * save is listed as it is written (the residue check needs the source's entries, the rewrite the new layer's),
 * so no layer is read back but the new one, once. Docker is sent only the rewritten layer: it holds the
 * source's layers already (loadImage falls back to the whole archive where an engine will not take that).
 */
export async function rewriteAndLoad(
  engine: ProvisionEngine,
  committed: string,
  plan: ProvisionPlan,
  options: RewriteOptions,
): Promise<{ id: string; layer: RewrittenImage['layer'] }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'dappdeps-provision-'));
  try {
    const saved = await readImageToDiskWith(await engine.images.save(committed), work, listTar);
    const rewritten = await rewriteImage(saved.image, saved.seen, {
      source: plan.source,
      root: plan.paths.root,
      runDir: plan.paths.run,
      product: options.product,
      keepCaches: options.keepCaches ?? false,
      changes: options.changes,
      createdBy: options.createdBy,
      layerFile: path.join(work, 'layer.tar'),
    });
    options.onStep?.(`loading the result and tagging it ${options.tag}`);
    const held = options.product === 'docker' ? plan.source.diffIds.length : 0;
    return {
      id: await loadResult(engine, rewritten.image, { tag: options.tag, signal: options.signal, held }),
      layer: rewritten.layer,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
