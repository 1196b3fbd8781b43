import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DappdepsError } from '../errors.js';
import { DockerodeClient } from './docker-call.js';
import { dockerLog } from './log.js';
import { readProgressStream } from './read-progress-stream.js';

const log = dockerLog('transfer');

/** Moving images to registries and files: push, and one save of several images (pull: ImageClient; tag, load: ImageStoreClient). */
export interface TransferClient {
  /** Pushes `ref` (`host:port/repo:tag`) and resolves with the manifest digest the registry reported. */
  push(ref: string): Promise<string>;
  /** One `docker save` archive of several images, as a stream. */
  saveMany(refs: readonly string[]): Promise<Readable>;
}

export class DockerodeTransferClient extends DockerodeClient implements TransferClient {
  constructor(docker: Docker, address: string) {
    super(docker, address, log);
  }

  push(ref: string): Promise<string> {
    return this.call(`push ${ref}`, async () => {
      // The engine wants an X-Registry-Auth header even for a registry without authentication.
      const stream = (await this.docker.getImage(ref).push({ authconfig: {} })) as Readable;
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
    return this.call(`save ${refs.join(' ')}`, async () => {
      // GET /images/get?names=a&names=b: dockerode has the call, its types do not.
      const docker = this.docker as unknown as { getImages(opts: { names: string[] }): Promise<Readable> };
      return docker.getImages({ names: [...refs] });
    });
  }
}
