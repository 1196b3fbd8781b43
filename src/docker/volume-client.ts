import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { DappdepsError } from '../errors.js';
import { labels } from '../labels.js';
import { DockerodeClient, removeContainer, unlessMissing } from './docker-call.js';
import { isConflict } from './engine-failure.js';
import type { EngineClient } from './engine-client.js';
import type { ImageClient } from './image-client.js';
import { dockerLog } from './log.js';
import { initPodmanContainer } from './podman-init.js';
import type { VolumeContainerRequest, VolumeOutcome } from './types.js';

/** Rounds of look / remove / create before giving up on a name that other clients keep changing. */
const VOLUME_ATTEMPTS = 20;

/** Volume containers: a created (never started) container whose volume exposes an image's prefix. */
export interface VolumeClient {
  /**
   * `docker create --name <name> --volume <volume> <image> no-such-cmd`, idempotent and safe to call
   * concurrently: a container of that name for the same image (and volume) is reused; one for another image is
   * removed with its volume and recreated.
   */
  create(req: VolumeContainerRequest): Promise<VolumeOutcome>;
  /** Removes the container and its volume; a container already gone is not an error. */
  remove(name: string): Promise<void>;
}

export class DockerodeVolumeClient extends DockerodeClient implements VolumeClient {
  readonly #images: Pick<ImageClient, 'inspect'>;
  readonly #engine: EngineClient;

  constructor(docker: Docker, address: string, images: Pick<ImageClient, 'inspect'>, engine: EngineClient) {
    super(docker, address, dockerLog('volumes'));
    this.#images = images;
    this.#engine = engine;
  }

  async create(req: VolumeContainerRequest): Promise<VolumeOutcome> {
    const image = await this.#images.inspect(req.image);
    if (!image)
      throw new DappdepsError(`cannot create volume container ${req.name}: image ${req.image} does not exist`);
    let replaced = false;
    for (let attempt = 1; attempt <= VOLUME_ATTEMPTS; attempt++) {
      const existing = await this.#inspect(req.name);
      if (existing) {
        // One made before the io.dappdeps.* labels (it has `dappdeps.image-id`) is recreated with its volume,
        // so none is left behind under labels nothing looks for any more.
        const current = existing.Config.Labels?.[labels.imageId] === image.id;
        // The volume is looked for among the mounts: Podman's inspect has no Config.Volumes.
        if (current && existing.Image === image.id && existing.Mounts.some((m) => m.Destination === req.volume)) {
          // Podman: the client that created it may not have initialised it yet (it fills the volume then).
          await this.#populate(existing.Id, req.name);
          return replaced ? 'recreated' : 'reused';
        }
        // By id: a container another client has just created under this name must survive.
        await this.remove(existing.Id);
        replaced = true;
      }
      if (await this.#tryCreate(req, image.id)) return replaced ? 'recreated' : 'created';
      // The name may belong to a container still being removed: give its removal a moment.
      await sleep(Math.min(25 * attempt, 200));
    }
    throw new DappdepsError(
      `cannot create volume container ${req.name}: the name stayed taken by containers of other images`,
    );
  }

  remove(nameOrId: string): Promise<void> {
    return this.call(`remove container ${nameOrId}`, () => removeContainer(this.docker, nameOrId));
  }

  /** False when another client got the name first (the caller looks at what it made). */
  #tryCreate(req: VolumeContainerRequest, imageId: string): Promise<boolean> {
    return this.call(`create volume container ${req.name}`, async () => {
      try {
        const container = await this.docker.createContainer({
          name: req.name,
          Image: imageId,
          Cmd: ['no-such-cmd'],
          Volumes: { [req.volume]: {} },
          Labels: { ...req.labels, [labels.imageId]: imageId, [labels.image]: req.image },
          HostConfig: { NetworkMode: 'none' },
        });
        await this.#populate(container.id, req.name);
        return true;
      } catch (error) {
        if (isConflict(error)) return false;
        throw error;
      }
    });
  }

  /** Fills the container's volume from its image where the engine does not do it at create (Podman). */
  async #populate(id: string, name: string): Promise<void> {
    if ((await this.#engine.version()).product !== 'podman') return;
    await this.call(`initialise volume container ${name} (Podman fills volumes then)`, () =>
      initPodmanContainer(this.docker, id),
    );
  }

  async #inspect(name: string): Promise<Docker.ContainerInspectInfo | undefined> {
    return this.call(`inspect container ${name}`, () => unlessMissing(() => this.docker.getContainer(name).inspect()));
  }
}
