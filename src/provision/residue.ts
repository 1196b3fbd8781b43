import path from 'node:path';
import type { TarEntryInfo } from '../archive/tar/filter-tar.js';
import { flatten, type LayerChanges } from '../archive/overlay/overlay.js';
import { parseWhiteout } from '../archive/overlay/whiteout.js';
import { isWithin } from '../archive/tar/entry-path.js';

/**
 * What a provisioning run leaves in its container that is not the playbook's doing, as layer paths (normal
 * form, relative to the root). Pure: the caller lists the layer's entries, asks the engine which candidate
 * directories the source image lacks, then drops what residueDrops returns.
 */

/** The path an entry is about: a whiteout `dir/.wh.name` is about `dir/name` (whiteouts read as extraction does). */
export function entrySubject(rel: string): string {
  const whiteout = parseWhiteout(rel, rel);
  return whiteout?.kind === 'delete' ? whiteout.path : rel;
}

/** Ansible's temporary files: `.ansible/tmp` in any home, `/tmp/.ansible*` and `/tmp/ansible*`. */
export function isAnsibleLeftover(rel: string): boolean {
  const p = entrySubject(rel);
  if (/(^|\/)\.ansible\/tmp(\/|$)/.test(p)) return true;
  const [first, second] = p.split('/');
  return first === 'tmp' && second !== undefined && /^\.?ansible/.test(second);
}

/** Mount points and the directories leading to them: the engine makes them in the container's own layer. */
function isMountStub(entry: TarEntryInfo, root: string): boolean {
  return entry.type === 'Directory' && isWithin(entry.path, root);
}

/**
 * Directories the run may have made only because it needed them: `/tmp`, those holding Ansible's leftovers
 * (a home's `.ansible`, the home itself), and the mount points of the image's own volumes (`volumes`, with
 * the folders leading to them), which the engine makes in the container's layer when the image lacks them.
 * Dropped only when the source image lacks them and nothing the playbook made is left inside; the caller finds
 * out which ones the image lacks.
 */
export function residueCandidates(
  entries: readonly TarEntryInfo[],
  root: string,
  volumes: readonly string[] = [],
): string[] {
  const found = new Set<string>();
  const withParents = (rel: string): void => {
    for (let dir = rel; dir !== '.' && dir !== ''; dir = path.posix.dirname(dir)) found.add(dir);
  };
  const dirs = new Set(entries.filter((e) => e.type === 'Directory').map((e) => e.path));
  if (dirs.has('tmp')) found.add('tmp');
  for (const volume of volumes) {
    const rel = volume.replace(/^\/+|\/+$/g, '');
    if (dirs.has(rel)) withParents(rel);
  }
  for (const entry of entries) if (isAnsibleLeftover(entry.path)) withParents(path.posix.dirname(entry.path));
  return [...found].filter((dir) => !isAnsibleLeftover(dir) && !isWithin(dir, root)).sort();
}

/**
 * The paths to leave out of the layer: mount stubs, Ansible's leftovers, the engine's own files
 * (`engineFiles`, see engine-residue.ts), and the candidate directories the image lacked (`lacking`) that hold
 * nothing else once those are gone. Files, links and whiteouts under
 * the dappdeps root (`root`, e.g. `.dapp`) are not dropped: they would be the playbook writing where dappdeps mounts, which the result
 * check refuses.
 */
export function residueDrops(
  entries: readonly TarEntryInfo[],
  lacking: ReadonlySet<string>,
  root: string,
  engineFiles: ReadonlySet<string> = new Set(),
): Set<string> {
  const drop = new Set<string>();
  for (const entry of entries) {
    if (isMountStub(entry, root) || isAnsibleLeftover(entry.path) || engineFiles.has(entry.path)) drop.add(entry.path);
  }
  // Deepest first, so a home emptied of its `.ansible` is judged after it.
  const candidates = [...lacking].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const dir of candidates) {
    const holdsOther = entries.some((e) => e.path !== dir && isWithin(e.path, dir) && !drop.has(e.path));
    if (!holdsOther) drop.add(dir);
  }
  return drop;
}

/** Entries of the rewritten layer that must not be there; the result check fails on any. */
export function forbiddenEntries(entries: readonly TarEntryInfo[], root: string): string[] {
  return entries.filter((e) => isWithin(e.path, root) || isAnsibleLeftover(e.path)).map((e) => `/${e.path}`);
}

/**
 * Of the candidate paths, those the image made of these layers (lowest first) holds: its layers are read from
 * the committed image's own save rather than from a container, which would make the image's volume mount
 * points itself. Applied by the overlay walker every reader of layers uses: whiteouts and opaque directories
 * hide what the layers below hold, and a file over a directory hides what was in it.
 */
export async function presentIn(
  layers: ReadonlyArray<readonly TarEntryInfo[]>,
  candidates: readonly string[],
): Promise<Set<string>> {
  const root = await flatten(layers.map(layerChanges));
  return new Set(candidates.filter((c) => root.get(c) !== undefined));
}

/** A listed layer as the overlay walker reads one. */
function layerChanges(entries: readonly TarEntryInfo[]): LayerChanges<TarEntryInfo> {
  const opaqueDirs: string[] = [];
  const whiteouts: string[] = [];
  const own: Array<[string, TarEntryInfo, boolean]> = [];
  for (const entry of entries) {
    const whiteout = parseWhiteout(entry.path, entry.path);
    if (whiteout?.kind === 'opaque') opaqueDirs.push(whiteout.dir);
    else if (whiteout) whiteouts.push(whiteout.path);
    else if (entry.path !== '') own.push([entry.path, entry, entry.type === 'Directory']);
  }
  return { opaqueDirs, whiteouts, entries: own };
}
