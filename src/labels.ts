/**
 * Every label dappdeps puts on images and containers, in one namespace: `io.dappdeps.*`. Build tools and
 * people filter on these (`docker ps --filter label=io.dappdeps.image-id`), so they are spelled once, here.
 */
export const labels = {
  /** On images and volume containers: the image's name, version, prefix and strategy. */
  name: 'io.dappdeps.name',
  version: 'io.dappdeps.version',
  prefix: 'io.dappdeps.prefix',
  strategy: 'io.dappdeps.strategy',
  /** On images: the run-time dependencies to mount beside it, comma-separated. */
  runDeps: 'io.dappdeps.run-deps',
  /** On images: what they are made of (see contentHash); equal hashes mean an equivalent image. */
  contentHash: 'io.dappdeps.content-hash',
  /** On a volume container: the id of the image whose content its volume holds. */
  imageId: 'io.dappdeps.image-id',
  /** On a volume container: the image reference it was created from (name and version). */
  image: 'io.dappdeps.image',
  /** On every container `run` creates, so one left by a killed process can be told apart. */
  run: 'io.dappdeps.run',
  /** On the smoke matrix's target images: which target. */
  target: 'io.dappdeps.target',
} as const;
