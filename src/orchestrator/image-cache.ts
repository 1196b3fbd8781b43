/** What a shared cache needs to know of an image job. */
export interface CachedJob {
  name: string;
  /** The local tag the image has once built or restored. */
  tag: string;
  /** Its content hash: the cache's key. */
  hash: string;
}

/**
 * A cache of built images shared between machines, keyed by content hash (the registry cache is
 * src/build-cache/). The orchestrator asks it before building an image and offers it each image it built; it
 * audits a restored image as it audits a build, and tells the cache when one is refused.
 */
export interface ImageCache {
  /** Gives `job.tag` the cached image of `job.hash` when the cache has it; false: build it. Never throws for a
   * cache that cannot be used (that is a warning, and a local build). */
  restore(job: CachedJob): Promise<boolean>;
  /** Offers an image built and accepted here; never fails the build. */
  store(job: CachedJob): Promise<void>;
  /** A restored image failed the audit: it has been untagged and will be built here. */
  refused(job: CachedJob, reason: string): void;
}
