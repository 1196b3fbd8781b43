import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DappdepsError } from '../errors.js';
import { dockerCall, type DockerCall } from './docker-call.js';
import { statusOf } from './engine-failure.js';
import { dockerLog } from './log.js';
import { readProgressStream } from './read-progress-stream.js';

const log = dockerLog('transfer');

/** Moving images between the engine and registries or files: tag, push, save of several, load (pull: ImageClient). */
export interface TransferClient {
  /** Gives image `source` the name `target` (`repo:tag`); the image must exist. */
  tag(source: string, target: string): Promise<void>;
  /** Pushes `ref` (`host:port/repo:tag`) and resolves with the manifest digest the registry reported. */
  push(ref: string): Promise<string>;
  /** One `docker save` archive of several images, as a stream. */
  saveMany(refs: readonly string[]): Promise<Readable>;
  /** `docker load` of an archive stream; resolves with the names/ids the engine reported loading. */
  load(archive: Readable): Promise<string[]>;
}

export class DockerodeTransferClient implements TransferClient {
  readonly #docker: Docker;
  readonly #call: DockerCall;

  constructor(docker: Docker, address: string) {
    this.#docker = docker;
    this.#call = dockerCall(log, address);
  }

  tag(source: string, target: string): Promise<void> {
    const colon = target.lastIndexOf(':');
    const slash = target.lastIndexOf('/');
    const [repo, tag] = colon > slash ? [target.slice(0, colon), target.slice(colon + 1)] : [target, 'latest'];
    return this.#call(`tag ${source} as ${target}`, async () => {
      try {
        await this.#docker.getImage(source).tag({ repo, tag });
      } catch (error) {
        if (statusOf(error) === 404) throw new DappdepsError(`image ${source} does not exist`, { cause: error });
        throw error;
      }
    });
  }

  push(ref: string): Promise<string> {
    return this.#call(`push ${ref}`, async () => {
      // The engine wants an X-Registry-Auth header even for a registry without authentication.
      const stream = (await this.#docker.getImage(ref).push({ authconfig: {} })) as Readable;
      let digest: string | undefined;
      await readProgressStream(stream, {
        onLine: ({ text }) => {
          log('push %s: %s', ref, text);
          digest = /digest: (sha256:[0-9a-f]{64})/.exec(text)?.[1] ?? digest;
        },
        fail: (reason, _tail, cause) => new DappdepsError(`push of ${ref} failed: ${reason}`, { cause }),
      });
      if (digest === undefined) throw new DappdepsError(`push of ${ref} ended without a digest from the registry`);
      return digest;
    });
  }

  saveMany(refs: readonly string[]): Promise<Readable> {
    return this.#call(`save ${refs.join(' ')}`, async () => {
      // GET /images/get?names=a&names=b: dockerode has the call, its types do not.
      const docker = this.#docker as unknown as { getImages(opts: { names: string[] }): Promise<Readable> };
      return docker.getImages({ names: [...refs] });
    });
  }

  load(archive: Readable): Promise<string[]> {
    return this.#call('load', async () => {
      const stream = (await this.#docker.loadImage(archive, { quiet: true })) as Readable;
      const loaded: string[] = [];
      await readProgressStream(stream, {
        onLine: ({ text }) => {
          log('load: %s', text);
          const name = /^Loaded image(?: ID)?: (\S+)/.exec(text.trim())?.[1];
          if (name !== undefined) loaded.push(name);
        },
        fail: (reason, _tail, cause) => new DappdepsError(`docker load failed: ${reason}`, { cause }),
      });
      return loaded;
    });
  }
}
