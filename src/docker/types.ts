import type { Readable } from 'node:stream';
import type { RunConfig } from '../image/image-config.js';

/** One line of a build's progress, already decoded from the engine's JSON stream. */
export interface BuildLine {
  /** Text for humans (a `stream`/`status` field), without trailing newline. */
  text: string;
}

export interface BuildRequest {
  /** Name of the image being built, used in errors ("build of <image> failed"). */
  image: string;
  /** The build context as a tar stream. */
  context: Readable;
  tag: string;
  /** Labels added to the final image at build time (e.g. content hash, creation time). */
  labels: Record<string, string>;
  /** Every decoded line goes here (the caller writes the per-image log file). */
  onLine: (line: BuildLine) => void;
  /** That log file, named by a failure. */
  logFile?: string;
  /** Reject when the engine sends nothing for this long (ms). */
  idleTimeoutMs: number;
  /** Ignore the engine's layer cache: every step runs again (`docker build --no-cache`). */
  nocache?: boolean;
  /** Aborts the build (closes the request; the engine stops the build). */
  signal?: AbortSignal;
  /** `buildkit` for `RUN --mount` (BuildKit's progress is decoded into lines too); default `classic`. */
  builder?: Builder;
  /** The RUN steps' network: default `host` (package mirrors); engines here have no bridge. */
  network?: 'host' | 'none';
  /** `docker build --platform` (e.g. `linux/arm64`): the images' architecture; default: the engine's. */
  platform?: string;
}

/**
 * How an engine builds: `classic` (dockerd's legacy builder, Buildah's usual Dockerfile path) or `buildkit`
 * (Dockerfiles may `RUN --mount`: dockerd's BuildKit; Podman's Buildah has the same mounts).
 */
export type Builder = 'classic' | 'buildkit';

/** Which engine answers the Docker API: dockerd, or Podman's Docker-compatible service. */
export type EngineProduct = 'docker' | 'podman';

export interface EngineVersion {
  product: EngineProduct;
  /** The engine's release, e.g. `20.10.24+dfsg1` (Docker) or `4.3.1` (Podman). */
  version: string;
  /** The newest API it speaks, e.g. `1.41`. */
  apiVersion: string;
  os: string;
  arch: string;
}

/** What an image is made of, as the engine's inspect tells it: one type for every caller (ports pick fields). */
export interface ImageDetails {
  id: string;
  /** The image's labels (`Config.Labels`), empty when it has none. */
  labels: Record<string, string>;
  /** The configuration containers of the image start with (Cmd, Entrypoint, Env, User…), as the engine has it. */
  config: RunConfig;
  /** Layer digests (uncompressed), lowest first. */
  diffIds: string[];
  size: number;
}

export interface RunRequest {
  image: string;
  cmd: string[];
  /** Containers whose volumes are mounted read-only (`--volumes-from name:ro`). */
  volumesFrom: string[];
  /** Images whose `subpath` is mounted read-only at `target` (Engine API >= 1.48). */
  imageMounts?: ImageMount[];
  env?: string[];
  workingDir?: string;
  /** `none` unless said otherwise; `host` for a command that reads a package mirror. */
  network?: 'none' | 'host';
  /** `docker run --read-only`: the image's root file system cannot be written. */
  readOnly?: boolean;
  /** `docker run --tmpfs`: mount point → options (`rw,mode=1777`). */
  tmpfs?: Record<string, string>;
  /** Output of the command, both streams demultiplexed. */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
}

export interface ImageMount {
  image: string;
  target: string;
  subpath: string;
}

export interface VolumeContainerRequest {
  name: string;
  image: string;
  /** The path the image's content is exposed at, as a volume (`--volume <prefix>`). */
  volume: string;
  labels: Record<string, string>;
}

export type VolumeOutcome = 'created' | 'reused' | 'recreated';

export interface ContainerSummary {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  /** The image as the container was created from it (a tag or an id). */
  image: string;
  imageId: string;
  /** `created`, `running`, `exited`, `removing`, ... */
  state: string;
  labels: Record<string, string>;
}

/** A container whose file system changes are the product: created, inspected, run once, committed. */
export interface ContainerSpec {
  name: string;
  image: string;
  cmd: string[];
  /** Added to (and overriding) the image's own environment, for this container only. */
  env: string[];
  /** Containers whose volumes are mounted read-only (`--volumes-from name:ro`). */
  volumesFrom: string[];
  /** Images whose `subpath` is mounted read-only at `target` (Engine API >= 1.48). */
  imageMounts?: ImageMount[];
  /** `host-path:container-path[:ro]` bind mounts. */
  binds: string[];
  /** tmpfs mounts: container path -> mount options. */
  tmpfs: Record<string, string>;
  /** `host`, `none`, `bridge` or a network's name. */
  network: string;
  labels: Record<string, string>;
}
