import { createHash } from 'node:crypto';
import type { RenderedFiles } from '../render/rendered-files.js';

export interface HashInput {
  strategy: string;
  baseImage: string;
  manifest: unknown;
  files: RenderedFiles;
  /** Content hashes of the build-time dependencies, by name. */
  deps: Record<string, string>;
}

/**
 * What an image is made of: its rendered context, manifest, strategy, build base and its build-time
 * dependencies' hashes. Two builds with the same hash produce equivalent images, so the second is
 * skipped. Stored on the image as the `io.dappdeps.content-hash` label.
 */
export function contentHash(input: HashInput): string {
  const hash = createHash('sha256');
  const field = (name: string, value: string | Buffer) => {
    const body = Buffer.from(value);
    hash.update(`${name}\0${body.length}\0`);
    hash.update(body);
  };
  field('strategy', input.strategy);
  field('base', input.baseImage);
  field('manifest', JSON.stringify(input.manifest));
  for (const [name, content] of [...input.files].sort(([a], [b]) => a.localeCompare(b))) field(`file:${name}`, content);
  for (const [name, hashOfDep] of Object.entries(input.deps).sort(([a], [b]) => a.localeCompare(b)))
    field(`dep:${name}`, hashOfDep);
  return hash.digest('hex');
}
