import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DappdepsError } from '../errors.js';
import { buildFailure } from './build-stream-parser.js';
import { DockerodeClient, unlessMissing } from './docker-call.js';
import type { EngineClient } from './engine-client.js';
import { engineMessage, isConnectionFailure } from './engine-failure.js';
import { dockerLog } from './log.js';
import { readProgressStream } from './read-progress-stream.js';
import type { BuildRequest, ImageInfo } from './types.js';

const log = dockerLog('images');

export interface ImageClient {
  /** The image, or undefined when the engine has no such image. */
  inspect(tag: string): Promise<ImageInfo | undefined>;
  /** Untags/removes the image; an image that is already gone is not an error. */
  remove(tag: string): Promise<void>;
  /** The `docker save` archive as a stream, not buffered. */
  save(tag: string): Promise<Readable>;
  /** Pulls from a registry (rejects when none is reachable, as on our machines). */
  pull(ref: string): Promise<void>;
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

  inspect(tag: string): Promise<ImageInfo | undefined> {
    return this.call(`inspect image ${tag}`, async () => {
      const info = await unlessMissing(() => this.docker.getImage(tag).inspect());
      return info && { id: info.Id, labels: info.Config.Labels ?? {}, size: info.Size };
    });
  }

  remove(tag: string): Promise<void> {
    return this.call(`remove image ${tag}`, async () => {
      await unlessMissing(() => this.docker.getImage(tag).remove());
    });
  }

  save(tag: string): Promise<Readable> {
    return this.call(`save ${tag}`, async () => (await this.docker.getImage(tag).get()) as Readable);
  }

  pull(ref: string): Promise<void> {
    return this.call(`pull ${ref}`, async () =>
      followProgress(`pull of ${ref}`, (await this.docker.pull(ref)) as Readable),
    );
  }

  importRootfs(rootfs: Readable, tag: string, changes: readonly string[] = []): Promise<{ id: string }> {
    return this.call(`import ${tag}`, async () => {
      // `repo` may carry the tag when importing (Engine API, POST /images/create); `changes` repeats per instruction.
      const options = { repo: tag, ...(changes.length > 0 ? { changes: [...changes] } : {}) };
      await followProgress(`import of ${tag}`, (await this.docker.importImage(rootfs, options)) as Readable);
      const imported = await this.inspect(tag);
      if (!imported) throw new DappdepsError(`import of ${tag} reported success but the engine has no such image`);
      return { id: imported.id };
    });
  }

  build(req: BuildRequest): Promise<{ id: string }> {
    const fail = buildFailure(req.image, req.logFile);
    return this.call(`build ${req.tag}`, async () => {
      let stream: Readable;
      // Podman builds with Buildah, which has `RUN --mount` in the one build endpoint it serves (no BuildKit
      // session to open there); dockerd needs version 2 for BuildKit.
      const buildkit = req.builder === 'buildkit' && (await this.#engine.version()).product === 'docker';
      try {
        stream = (await this.docker.buildImage(req.context, {
          t: req.tag,
          labels: req.labels,
          networkmode: req.network ?? 'host',
          // dockerode opens the BuildKit session itself; the image store serves FROM and --mount=from.
          version: buildkit ? '2' : '1',
          rm: true,
          forcerm: true,
          nocache: req.nocache ?? false,
          ...(req.platform ? { platform: req.platform } : {}),
          abortSignal: req.signal,
        })) as Readable;
      } catch (error) {
        if (isConnectionFailure(error)) throw error; // becomes an EngineError: no build happened at all
        throw fail(req.signal?.aborted ? 'aborted' : engineMessage(error), [], error);
      }
      const id = await readProgressStream(stream, {
        onLine: req.onLine,
        fail,
        idleTimeoutMs: req.idleTimeoutMs,
        signal: req.signal,
        requireId: true,
      });
      return { id };
    });
  }
}

/** Reads a pull/import progress stream: lines go to the debug log, failures name the operation. */
async function followProgress(what: string, stream: Readable): Promise<void> {
  await readProgressStream(stream, {
    onLine: ({ text }) => log('%s: %s', what, text),
    fail: (reason, _tail, cause) => new DappdepsError(`${what} failed: ${reason}`, { cause }),
  });
}
