import type { ImageClient } from '../docker/image-client.js';
import type { ImageDetails } from '../docker/types.js';
import { statusOf } from '../docker/engine-failure.js';
import { labels } from '../labels.js';
import type { CachedJob, ImageCache } from '../orchestrator/image-cache.js';

/** What the cache asks of the engine: the engine itself pulls and pushes, so a remote engine reaches the registry. */
export interface RegistryCacheEngine {
  images: Pick<ImageClient, 'pull' | 'remove' | 'tag' | 'push'> & {
    inspect(ref: string): Promise<Pick<ImageDetails, 'id' | 'labels'> | undefined>;
  };
}

export interface RegistryCacheOptions {
  /** `HOST[:PORT]/REPOSITORY`: each image is cached as `<this>/<name>:<content hash>`. */
  repository: string;
  /** False for a read-only cache: look up, never push. */
  push: boolean;
  /** The one warning of a cache that cannot be used, and refusals. */
  onWarning(message: string): void;
  onInfo?(message: string): void;
}

/** The engine's failure for a reference the registry does not have (vs. a registry that cannot be reached). */
function isMissing(error: unknown): boolean {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  return statusOf(cause) === 404 || statusOf(error) === 404;
}

const why = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A registry as the shared build cache, like BuildKit's registry cache or a Nix binary cache: an image is
 * identified by its content hash (which covers its manifest, rendered files, lock and build-time dependencies'
 * hashes), so an image pushed from one machine is exactly what another would build. A lookup pulls
 * `<repository>/<name>:<hash>`; the pulled image must carry that hash in its label before it gets its local
 * tag (the orchestrator then audits it as it audits a build). A cache that cannot be reached is given up for the
 * rest of the run with one warning; a refused push stops pushing, with one warning; neither fails the build.
 */
export class RegistryCache implements ImageCache {
  readonly #engine: RegistryCacheEngine;
  readonly #options: RegistryCacheOptions;
  #unreachable = false;
  #pushRefused = false;

  constructor(engine: RegistryCacheEngine, options: RegistryCacheOptions) {
    this.#engine = engine;
    this.#options = options;
  }

  /** Where the cache keeps the image of this content hash. */
  ref(job: CachedJob): string {
    return `${this.#options.repository}/${job.name}:${job.hash}`;
  }

  async restore(job: CachedJob): Promise<boolean> {
    if (this.#unreachable) return false;
    const ref = this.ref(job);
    try {
      await this.#engine.images.pull(ref);
    } catch (error) {
      if (!isMissing(error)) this.#giveUp(`cannot use the build cache ${this.#options.repository}: ${why(error)}`);
      return false;
    }
    try {
      const pulled = await this.#engine.images.inspect(ref);
      const hash = pulled?.labels[labels.contentHash];
      if (hash !== job.hash) {
        this.#options.onWarning(
          `${job.name}: the build cache's ${ref} has content hash ${hash ?? 'none'}, not its tag's: refused, building it`,
        );
        return false;
      }
      await this.#engine.images.tag(ref, job.tag);
      return true;
    } finally {
      await this.#engine.images.remove(ref); // only the cache's name: the image keeps its local one
    }
  }

  async store(job: CachedJob): Promise<void> {
    if (!this.#options.push || this.#unreachable || this.#pushRefused) return;
    const ref = this.ref(job);
    try {
      await this.#engine.images.tag(job.tag, ref);
      const digest = await this.#engine.images.push(ref);
      this.#options.onInfo?.(`${job.name}: pushed to the build cache as ${ref} (${digest})`);
    } catch (error) {
      if (!this.#pushRefused) {
        this.#pushRefused = true;
        this.#options.onWarning(
          `the build cache ${this.#options.repository} refused a push (${why(error)}): building on without pushing`,
        );
      }
    } finally {
      await this.#engine.images.remove(ref).catch(() => undefined);
    }
  }

  refused(job: CachedJob, reason: string): void {
    this.#options.onWarning(
      `${job.name}: the build cache's image ${this.ref(job)} failed the audit (refused, building it): ${reason}`,
    );
  }

  #giveUp(message: string): void {
    if (this.#unreachable) return;
    this.#unreachable = true;
    this.#options.onWarning(`${message}; building without it`);
  }
}
