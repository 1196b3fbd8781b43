import { DappdepsError } from '../errors.js';

/** A source pinned by URL and checksum (the manifest's shape; `{prefix}` already expanded). */
export interface PinnedSource {
  name: string;
  url: string;
  md5?: string | undefined;
  sha256?: string | undefined;
}

export interface Checksum {
  sum: string;
  file: string;
}

/** What the `fetch-sources` partial renders: downloads into `dir`, then `md5sum -c`/`sha256sum -c` over generated lists. */
export interface FetchPlan {
  dir: string;
  downloads: { name: string; file: string; url: string }[];
  md5: Checksum[];
  sha256: Checksum[];
}

/**
 * Plan the download of `sources` into `dir`. Files keep the URL's base name because Omnibus looks for
 * `<cache_dir>/<basename>` before fetching; two sources sharing a base name would overwrite each other.
 */
export function fetchPlan(dir: string, sources: readonly PinnedSource[]): FetchPlan {
  const plan: FetchPlan = { dir, downloads: [], md5: [], sha256: [] };
  const owners = new Map<string, string>();
  for (const source of sources) {
    const file = source.url.slice(source.url.lastIndexOf('/') + 1);
    if (file === '') throw new DappdepsError(`${source.name}: URL ${source.url} names no file`);
    const owner = owners.get(file);
    if (owner) throw new DappdepsError(`${source.name} and ${owner} both download a file named ${file}`);
    owners.set(file, source.name);
    plan.downloads.push({ name: source.name, file, url: source.url });
    // Checked by the manifest's semantics already; a missing sum here is a programming error.
    if (source.sha256) plan.sha256.push({ sum: source.sha256, file });
    else if (source.md5) plan.md5.push({ sum: source.md5, file });
    else throw new DappdepsError(`${source.name} has no checksum`);
  }
  return plan;
}

/** Path of each source's downloaded file by source name (for templates that unpack them). */
export function archivePaths(plan: FetchPlan): Record<string, string> {
  return Object.fromEntries(plan.downloads.map((d) => [d.name, `${plan.dir}/${d.file}`]));
}
