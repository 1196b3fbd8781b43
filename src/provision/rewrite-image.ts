import { stat } from 'node:fs/promises';
import { isWithin } from '../archive/tar/entry-path.js';
import type { EngineProduct } from '../docker/types.js';
import { DappdepsError } from '../errors.js';
import type { ConfigChanges, RunConfig } from './config-changes.js';
import { engineResidue } from './engine-residue.js';
import { listLayer, writeFilteredLayer } from './layer-files.js';
import { isPackageCache } from './package-caches.js';
import { forbiddenEntries, presentIn, residueCandidates, residueDrops } from './residue.js';
import { resultConfig } from './result-config.js';
import type { LayerFile, SavedImage } from './saved-image.js';

export interface RewriteRequest {
  source: { config: RunConfig; diffIds: readonly string[] };
  /** The dappdeps root relative to `/` (e.g. `.dapp`). */
  root: string;
  /** The run's own folder relative to `/` (the project sent in, Ansible's tmpfs): left out whole. */
  runDir: string;
  product: EngineProduct;
  keepCaches: boolean;
  changes: ConfigChanges;
  createdBy: string;
  /** Where the rewritten layer is written. */
  layerFile: string;
}

/** The result image: the source's layers, the rewritten one on top, and its configuration. */
export interface RewrittenImage {
  config: Buffer;
  layerFiles: string[];
  diffIds: string[];
  layer: { diffId: string; bytes: number; entries: number; removed: string[] };
}

/**
 * The rewrite phase, over the committed image: its new layer without the run's residue (mount points,
 * Ansible's leftovers, the engine's own files, package caches unless kept), checked to hold nothing under
 * the dappdeps root, and the source's configuration with the changes. No engine is involved.
 */
export async function rewriteImage(saved: SavedImage, request: RewriteRequest): Promise<RewrittenImage> {
  const { source } = request;
  const top = saved.layers.at(-1);
  if (!top || saved.layers.length !== source.diffIds.length + 1) {
    throw new DappdepsError(`the committed image has ${saved.layers.length} layers, not ${source.diffIds.length + 1}`);
  }
  const lower = saved.layers.slice(0, -1);
  const drop = await residueOf(top, lower, request);
  const diffId = await writeFilteredLayer(top, (entry) => !drop.has(entry.path), request.layerFile);
  const kept = await listLayer({ file: request.layerFile, gzip: false });
  const forbidden = forbiddenEntries(kept, request.root);
  if (forbidden.length > 0) {
    throw new DappdepsError(
      `the new layer would hold ${forbidden.length} entries where dappdeps mounts or Ansible keeps its temporary files: ${forbidden.slice(0, 10).join(', ')}${forbidden.length > 10 ? ', …' : ''}; nothing was tagged`,
    );
  }
  const config = resultConfig({
    committed: saved.config,
    source,
    layerDiffId: diffId,
    changes: request.changes,
    createdBy: request.createdBy,
  });
  return {
    config,
    layerFiles: [...lower.map((l) => l.file), request.layerFile],
    diffIds: [...source.diffIds, diffId],
    layer: {
      diffId,
      bytes: (await stat(request.layerFile)).size,
      entries: kept.length,
      removed: [...drop].sort().map((p) => `/${p}`),
    },
  };
}

/** The layer paths to leave out of the new layer. */
async function residueOf(top: LayerFile, lower: readonly LayerFile[], request: RewriteRequest): Promise<Set<string>> {
  const entries = await listLayer(top);
  const imageVolumes = Object.keys(request.source.config.Volumes ?? {});
  const engineMade = engineResidue(request.product, entries);
  const candidates = [...residueCandidates(entries, request.root, imageVolumes), ...engineMade.dirs];
  const lacking = await lackingIn(lower, candidates);
  const drop = residueDrops(entries, lacking, request.root, engineMade.files);
  for (const entry of entries) if (isWithin(entry.path, request.runDir)) drop.add(entry.path);
  if (!request.keepCaches) for (const entry of entries) if (isPackageCache(entry.path)) drop.add(entry.path);
  return drop;
}

/** Of the candidate directories, those the source image (its layers, lowest first) does not have. */
async function lackingIn(layers: readonly LayerFile[], candidates: string[]): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const present = presentIn(await Promise.all(layers.map((layer) => listLayer(layer))), candidates);
  return new Set(candidates.filter((c) => !present.has(c)));
}
