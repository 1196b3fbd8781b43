import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DappdepsError } from '../errors.js';
import { type RunConfig, parseRunConfig } from '../image/image-config.js';
import { DockerodeClient, unlessMissing } from './docker-call.js';
import { dockerLog } from './log.js';
import { readProgressStream } from './read-progress-stream.js';

const log = dockerLog('image-store');

/** What an image is made of: its id, its run configuration and its layers. */
export interface ImageDetails {
  id: string;
  /** The configuration containers of the image start with (Cmd, Entrypoint, Env, User…), as the engine has it. */
  config: RunConfig;
  /** Layer digests (uncompressed), lowest first. */
  diffIds: string[];
  size: number;
}

/** Images as whole objects: their details, loading an archive, tagging. */
export interface ImageStoreClient {
  /** The image's details, or undefined when the engine has no such image. */
  details(ref: string): Promise<ImageDetails | undefined>;
  /** `docker load` of a docker-archive stream; resolves with the ids the engine reports loading. */
  load(archive: Readable, signal?: AbortSignal): Promise<string[]>;
  /** Points `ref` (`name:tag`) at the image `id`, moving the tag if it pointed elsewhere. */
  tag(id: string, ref: string): Promise<void>;
  /** The ids of the images labelled `label=value` (provision's cache looks its key up this way). */
  withLabel(label: string, value: string): Promise<string[]>;
}

export class DockerodeImageStoreClient extends DockerodeClient implements ImageStoreClient {
  constructor(docker: Docker, address: string) {
    super(docker, address, log);
  }

  details(ref: string): Promise<ImageDetails | undefined> {
    return this.call(`inspect image ${ref}`, async () => {
      const info = await unlessMissing(() => this.docker.getImage(ref).inspect());
      return (
        info && {
          id: info.Id,
          config: parseRunConfig(info.Config, `the configuration of image ${ref}`),
          diffIds: info.RootFS.Layers ?? [],
          size: info.Size,
        }
      );
    });
  }

  load(archive: Readable, signal?: AbortSignal): Promise<string[]> {
    return this.call('load an image archive', async () => {
      const loaded: string[] = [];
      const stream = (await this.docker.loadImage(archive, { quiet: true, abortSignal: signal })) as Readable;
      await readProgressStream(stream, {
        onLine: ({ text }) => {
          log('load: %s', text);
          const id = /^Loaded image ID: (\S+)/.exec(text)?.[1];
          if (id) loaded.push(id);
        },
        fail: (reason, _tail, cause) => new DappdepsError(`loading the image archive failed: ${reason}`, { cause }),
        signal,
      });
      return loaded;
    });
  }

  withLabel(label: string, value: string): Promise<string[]> {
    return this.call(`list images labelled ${label}`, async () => {
      const found = await this.docker.listImages({ filters: { label: [`${label}=${value}`] } });
      return found.map((image) => image.Id);
    });
  }

  tag(id: string, ref: string): Promise<void> {
    const colon = ref.lastIndexOf(':');
    const [repo, tag] = colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
    return this.call(`tag ${id} as ${ref}`, async () => {
      await this.docker.getImage(id).tag({ repo, tag });
    });
  }
}
