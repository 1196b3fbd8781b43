import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DappdepsError } from '../errors.js';
import { parseRunConfig } from '../image/image-config.js';
import { DockerodeClient, readable, unlessMissing } from './docker-call.js';
import type { EngineClient } from './engine-client.js';
import { buildImage } from './image-build.js';
import { followProgress, loadArchive, pushImage, saveImages } from './image-transfer.js';
import { dockerLog } from './log.js';
import type { BuildRequest, ImageDetails } from './types.js';

const log = dockerLog('images');

/** Images: one inspect, tags, builds, and their moves to and from registries and archives. */
export interface ImageClient {
  /** The image's details, or undefined when the engine has no such image. */
  inspect(ref: string): Promise<ImageDetails | undefined>;
  /** Untags/removes the image; an image that is already gone is not an error. */
  remove(ref: string): Promise<void>;
  /** Points `ref` (`name:tag`) at the image `id`, moving the tag if it pointed elsewhere. */
  tag(id: string, ref: string): Promise<void>;
  /** The ids of the images labelled `label=value` (provision's cache looks its key up this way). */
  withLabel(label: string, value: string): Promise<string[]>;
  /** The `docker save` archive as a stream, not buffered. */
  save(ref: string): Promise<Readable>;
  /** One `docker save` archive of several images, as a stream. */
  saveMany(refs: readonly string[]): Promise<Readable>;
  /** `docker load` of a docker-archive stream; resolves with the ids the engine reports loading. */
  load(archive: Readable, signal?: AbortSignal): Promise<string[]>;
  /** Pulls from a registry (rejects when none is reachable, as on our machines). */
  pull(ref: string): Promise<void>;
  /** Pushes `ref` (`host:port/repo:tag`) and resolves with the manifest digest the registry reported. */
  push(ref: string): Promise<string>;
  /**
   * Creates an image from a root file system tar (`docker import`), e.g. a debootstrap'ed Debian; `changes` are
   * Dockerfile instructions for its config (`docker import --change`: `CMD ["bash"]`, `ENV PATH=…`).
   */
  importRootfs(rootfs: Readable, tag: string, changes?: readonly string[]): Promise<{ id: string }>;
  /**
   * Builds with the classic builder (or BuildKit when asked) and host networking (to reach package mirrors)
   * unless told otherwise. `rm`/`forcerm` make the
   * engine remove intermediate containers even when a step fails, and when the request is closed (abort,
   * idle timeout), so a build leaves no containers behind; nothing else has to clean up after builds.
   */
  build(req: BuildRequest): Promise<{ id: string }>;
}

export class DockerodeImageClient extends DockerodeClient implements ImageClient {
  readonly #engine: EngineClient;

  constructor(docker: Docker, address: string, engine: EngineClient) {
    super(docker, address, log);
    this.#engine = engine;
  }

  inspect(ref: string): Promise<ImageDetails | undefined> {
    return this.call(`inspect image ${ref}`, async () => {
      const info = await unlessMissing(() => this.docker.getImage(ref).inspect());
      if (!info) return undefined;
      const config = parseRunConfig(info.Config, `the configuration of image ${ref}`);
      return {
        id: info.Id,
        labels: config.Labels ?? {},
        config,
        diffIds: info.RootFS.Layers ?? [],
        size: info.Size,
      };
    });
  }

  remove(ref: string): Promise<void> {
    return this.call(`remove image ${ref}`, async () => {
      await unlessMissing(() => this.docker.getImage(ref).remove());
    });
  }

  tag(id: string, ref: string): Promise<void> {
    const colon = ref.lastIndexOf(':');
    const [repo, tag] = colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
    return this.call(`tag ${id} as ${ref}`, async () => {
      await this.docker.getImage(id).tag({ repo, tag });
    });
  }

  withLabel(label: string, value: string): Promise<string[]> {
    return this.call(`list images labelled ${label}`, async () => {
      const found = await this.docker.listImages({ filters: { label: [`${label}=${value}`] } });
      return found.map((image) => image.Id);
    });
  }

  save(ref: string): Promise<Readable> {
    return this.call(`save ${ref}`, async () => readable(await this.docker.getImage(ref).get(), `save ${ref}`));
  }

  saveMany(refs: readonly string[]): Promise<Readable> {
    return this.call(`save ${refs.join(' ')}`, () => saveImages(this.docker, refs));
  }

  load(archive: Readable, signal?: AbortSignal): Promise<string[]> {
    return this.call('load an image archive', () => loadArchive(this.docker, archive, signal));
  }

  pull(ref: string): Promise<void> {
    return this.call(`pull ${ref}`, async () =>
      followProgress(`pull of ${ref}`, readable(await this.docker.pull(ref), `pull ${ref}`)),
    );
  }

  push(ref: string): Promise<string> {
    return this.call(`push ${ref}`, () => pushImage(this.docker, ref));
  }

  importRootfs(rootfs: Readable, tag: string, changes: readonly string[] = []): Promise<{ id: string }> {
    return this.call(`import ${tag}`, async () => {
      // `repo` may carry the tag when importing (Engine API, POST /images/create); `changes` repeats per instruction.
      const options = { repo: tag, ...(changes.length > 0 ? { changes: [...changes] } : {}) };
      const stream = readable(await this.docker.importImage(rootfs, options), `import ${tag}`);
      await followProgress(`import of ${tag}`, stream);
      const imported = await this.inspect(tag);
      if (!imported) throw new DappdepsError(`import of ${tag} reported success but the engine has no such image`);
      return { id: imported.id };
    });
  }

  build(req: BuildRequest): Promise<{ id: string }> {
    return this.call(`build ${req.tag}`, async () => {
      // Podman builds with Buildah, which has `RUN --mount` in the one build endpoint it serves (no BuildKit
      // session to open there); dockerd needs version 2 for BuildKit.
      const buildkit = req.builder === 'buildkit' && (await this.#engine.version()).product === 'docker';
      return buildImage(this.docker, req, buildkit);
    });
  }
}
