/** The ways a build tool can mount dappdeps images, each as the flags it takes. */
export const mountFormats = ['buildkit', 'volumes-from', 'docker-run'] as const;
export type MountFormat = (typeof mountFormats)[number];

/** One image to mount: its name and tag, its prefix, and its volume container's name. */
export interface MountSource {
  name: string;
  tag: string;
  prefix: string;
  container: string;
}

/**
 * The flags that mount `sources`, on one line. Tags, prefixes and container names come from validated
 * manifests (no spaces, quotes or shell characters), so they are printed as they are.
 * - `buildkit`: `RUN --mount=…` options, read-only bind mounts of each image's prefix at the same path.
 * - `volumes-from`: `--volumes-from <container>:ro`, for the volume containers `dappdeps volumes` creates.
 * - `docker-run`: `docker run --mount type=image,…` options, which need no volume container but an engine
 *   with image mounts (Docker 28, Engine API ≥ 1.48).
 */
export function mountFlags(sources: readonly MountSource[], format: MountFormat): string {
  return sources.map((s) => flagOf(s, format)).join(' ');
}

function flagOf({ tag, prefix, container }: MountSource, format: MountFormat): string {
  switch (format) {
    case 'buildkit':
      return `--mount=type=bind,from=${tag},source=${prefix},target=${prefix}`;
    case 'volumes-from':
      return `--volumes-from ${container}:ro`;
    case 'docker-run':
      return `--mount type=image,source=${tag},target=${prefix},image-subpath=${prefix}`;
  }
}
