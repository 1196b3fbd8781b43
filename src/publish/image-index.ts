import { DappdepsError } from '../errors.js';

/** The media types of a registry manifest that an index may list, and of the index itself. */
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
] as const;
export const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';

export interface Platform {
  os: 'linux';
  architecture: string;
  variant?: string;
}

export interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  platform: Platform;
}

/** `HOST[:PORT]/repo/name:tag` split as the registry API names it. */
export interface RegistryRef {
  registry: string;
  repository: string;
  tag: string;
}

export function parseRef(ref: string): RegistryRef {
  const slash = ref.indexOf('/');
  const colon = ref.lastIndexOf(':');
  if (slash < 0 || colon < slash) throw new DappdepsError(`not a registry reference: ${ref}`);
  return { registry: ref.slice(0, slash), repository: ref.slice(slash + 1, colon), tag: ref.slice(colon + 1) };
}

/** Docker's rule: loopback registries speak plain http, every other one https. */
export function registryBase(registry: string): string {
  const host = registry.replace(/:\d+$/, '');
  const loopback = host === 'localhost' || /^127\./.test(host) || host === '[::1]';
  return `${loopback ? 'http' : 'https'}://${registry}/v2`;
}

type Fetch = typeof fetch;

/** One call to the registry's API; any failure is a DappdepsError naming the call. */
async function call(fetchFn: Fetch, url: string, init: RequestInit, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetchFn(url, init);
  } catch (error) {
    throw new DappdepsError(`${what}: the registry cannot be reached (${String(error)})`, { cause: error });
  }
  if (!response.ok) {
    const body = (await response.text()).slice(0, 300).trim();
    throw new DappdepsError(`${what}: the registry answered ${response.status} ${body}`, {
      ...(response.status === 401 ? { hint: 'registries that need a login are not supported yet' } : {}),
    });
  }
  return response;
}

/** The manifest `digest` of `repository` as the registry serves it: media type and exact size, for an index entry. */
export async function manifestEntry(
  ref: RegistryRef,
  digest: string,
  platform: Platform,
  fetchFn: Fetch = fetch,
): Promise<IndexEntry> {
  const url = `${registryBase(ref.registry)}/${ref.repository}/manifests/${digest}`;
  const response = await call(fetchFn, url, { headers: { accept: MANIFEST_TYPES.join(', ') } }, `read ${digest}`);
  const body = Buffer.from(await response.arrayBuffer());
  const mediaType = response.headers.get('content-type') ?? '';
  if (!(MANIFEST_TYPES as readonly string[]).includes(mediaType))
    throw new DappdepsError(
      `read ${digest}: the registry served ${mediaType || 'no media type'}, not an image manifest`,
    );
  return { mediaType, digest, size: body.length, platform };
}

/** The OCI image index of these manifests, as the registry stores it. */
export function imageIndex(entries: readonly IndexEntry[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: INDEX_TYPE, manifests: entries });
}

/** Puts the index of `entries` under `ref`'s tag; resolves with the digest the registry gave it. */
export async function putIndex(
  ref: RegistryRef,
  entries: readonly IndexEntry[],
  fetchFn: Fetch = fetch,
): Promise<string> {
  const url = `${registryBase(ref.registry)}/${ref.repository}/manifests/${ref.tag}`;
  const response = await call(
    fetchFn,
    url,
    { method: 'PUT', headers: { 'content-type': INDEX_TYPE }, body: imageIndex(entries) },
    `push the index ${ref.registry}/${ref.repository}:${ref.tag}`,
  );
  return response.headers.get('docker-content-digest') ?? '';
}
