import { stat } from 'node:fs/promises';
import { isWithin } from '../archive/tar/entry-path.js';
import type { EngineProduct } from '../docker/types.js';
import { DappdepsError } from '../errors.js';
import type { TarEntryInfo } from '../archive/tar/filter-tar.js';
import type { Image } from '../image/image.js';
import { editConfig, rewriteTopLayer } from '../image/image-mutations.js';
import type { ConfigChanges, RunConfig } from './config-changes.js';
import { engineResidue } from './engine-residue.js';
import { isPackageCache } from './package-caches.js';
import { forbiddenEntries, presentIn, residueCandidates, residueDrops } from './residue.js';
import { resultConfig } from './result-config.js';

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

/** The result image, and what its new layer holds. */
export interface RewrittenImage {
  image: Image;
  layer: { diffId: string; bytes: number; entries: number; removed: string[] };
}

/**
 * The rewrite phase, over the committed image (a value: its layers are files, `listings` their entries, lowest
 * first): its new layer without the run's residue (mount points, Ansible's leftovers, the engine's own files,
 * the run's own folder, package caches unless kept), checked to hold nothing under the dappdeps root, and the
 * source's configuration with the changes. No engine is involved.
 */
export async function rewriteImage(
  committed: Image,
  listings: ReadonlyArray<readonly TarEntryInfo[]>,
  request: RewriteRequest,
): Promise<RewrittenImage> {
  const { source } = request;
  const lower = committed.layers.slice(0, -1);
  const top = listings.at(-1);
  if (
    !top ||
    listings.length !== committed.layers.length ||
    lower.map((l) => l.diffId).join() !== source.diffIds.join()
  ) {
    throw new DappdepsError(
      `the committed image does not stack exactly one layer on the source image's ${source.diffIds.length} (it has ${committed.layers.length})`,
    );
  }
  const drop = await residueOf(top, listings.slice(0, -1), request);
  // What the written layer holds is what these decisions kept, in order: no second reading of it.
  const kept: TarEntryInfo[] = [];
  const keep = (entry: TarEntryInfo): boolean => {
    if (drop.has(entry.path)) return false;
    kept.push(entry);
    return true;
  };
  const rewritten = await rewriteTopLayer(committed, keep, request.layerFile);
  const layer = rewritten.layers.at(-1);
  if (!layer) throw new DappdepsError('the rewritten image has no layer');
  const forbidden = forbiddenEntries(kept, request.root);
  if (forbidden.length > 0) {
    throw new DappdepsError(
      `the new layer would hold ${forbidden.length} entries where dappdeps mounts or Ansible keeps its temporary files: ${forbidden.slice(0, 10).join(', ')}${forbidden.length > 10 ? ', …' : ''}; nothing was tagged`,
    );
  }
  const image = editConfig(rewritten, (config) =>
    resultConfig(config, { source: source.config, changes: request.changes, createdBy: request.createdBy }),
  );
  return {
    image,
    layer: {
      diffId: layer.diffId,
      bytes: (await stat(layer.file)).size,
      entries: kept.length,
      removed: [...drop].sort().map((p) => `/${p}`),
    },
  };
}

/** The layer paths to leave out of the new layer (`entries`: the new layer's, `lower`: the source's layers'). */
async function residueOf(
  entries: readonly TarEntryInfo[],
  lower: ReadonlyArray<readonly TarEntryInfo[]>,
  request: RewriteRequest,
): Promise<Set<string>> {
  const imageVolumes = Object.keys(request.source.config.Volumes ?? {});
  const engineMade = engineResidue(request.product, entries);
  const candidates = [...residueCandidates(entries, request.root, imageVolumes), ...engineMade.dirs];
  const lacking = await lackingIn(lower, candidates);
  const drop = residueDrops(entries, lacking, request.root, engineMade.files);
  for (const entry of entries) if (isWithin(entry.path, request.runDir)) drop.add(entry.path);
  if (!request.keepCaches) for (const entry of entries) if (isPackageCache(entry.path)) drop.add(entry.path);
  return drop;
}

/** Of the candidate directories, those the source image (its layers' entries, lowest first) does not have. */
async function lackingIn(layers: ReadonlyArray<readonly TarEntryInfo[]>, candidates: string[]): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const present = await presentIn(layers, candidates);
  return new Set(candidates.filter((c) => !present.has(c)));
}
