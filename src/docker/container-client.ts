import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { DappdepsError } from '../errors.js';
import { labels } from '../labels.js';
import { runToExit } from './run-to-exit.js';
import { DockerodeClient, removeContainer, unlessMissing } from './docker-call.js';
import { isConflict } from './engine-failure.js';
import type { EngineClient } from './engine-client.js';
import type { ImageClient } from './image-client.js';
import { imageMount } from './image-mount.js';
import { dockerLog } from './log.js';
import { initPodmanContainer } from './podman-init.js';
import type { ContainerSummary, RunRequest, VolumeContainerRequest, VolumeOutcome } from './types.js';

/** Rounds of look / remove / create before giving up on a name that other clients keep changing. */
const VOLUME_ATTEMPTS = 20;

export interface ContainerClient {
  /**
   * `docker create --name <name> --volume <volume> <image> no-such-cmd`, idempotent and safe to call
   * concurrently: a container of that name for the same image (and volume) is reused; one for another image is
   * removed with its volume and recreated.
   */
  createVolumeContainer(req: VolumeContainerRequest): Promise<VolumeOutcome>;
  /** Removes the container and its volume; a container already gone is not an error. */
  removeVolumeContainer(name: string): Promise<void>;
  /** All containers, in any state, having `label` (`key` or `key=value`). */
  listByLabel(label: string): Promise<ContainerSummary[]>;
  /**
   * Runs `cmd` in a new container of `image` with the volume containers mounted read-only and no network (unless asked);
   * resolves with its exit code. The container is removed afterwards, also on failure and abort.
   */
  run(req: RunRequest): Promise<number>;
}

export class DockerodeContainerClient extends DockerodeClient implements ContainerClient {
  readonly #images: ImageClient;
  readonly #engine: EngineClient;

  constructor(docker: Docker, address: string, images: ImageClient, engine: EngineClient) {
    super(docker, address, dockerLog('containers'));
    this.#images = images;
    this.#engine = engine;
  }

  async createVolumeContainer(req: VolumeContainerRequest): Promise<VolumeOutcome> {
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
        await this.#remove(existing.Id);
        replaced = true;
      }
      const created = await this.call(`create volume container ${req.name}`, async () => {
        try {
          const container = await this.docker.createContainer({
            name: req.name,
            Image: image.id,
            Cmd: ['no-such-cmd'],
            Volumes: { [req.volume]: {} },
            Labels: { ...req.labels, [labels.imageId]: image.id, [labels.image]: req.image },
            HostConfig: { NetworkMode: 'none' },
          });
          await this.#populate(container.id, req.name);
          return true;
        } catch (error) {
          if (isConflict(error)) return false; // another client got the name first: look at what it made
          throw error;
        }
      });
      if (created) return replaced ? 'recreated' : 'created';
      // The name may belong to a container still being removed: give its removal a moment.
      await sleep(Math.min(25 * attempt, 200));
    }
    throw new DappdepsError(
      `cannot create volume container ${req.name}: the name stayed taken by containers of other images`,
    );
  }

  removeVolumeContainer(name: string): Promise<void> {
    return this.#remove(name);
  }

  listByLabel(label: string): Promise<ContainerSummary[]> {
    return this.call(`list containers labelled ${label}`, async () => {
      const found = await this.docker.listContainers({ all: true, filters: { label: [label] } });
      return found.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        image: c.Image,
        imageId: c.ImageID,
        state: c.State,
        labels: c.Labels ?? {},
      }));
    });
  }

  async run(req: RunRequest): Promise<number> {
    const what = `run ${JSON.stringify(req.cmd)} in ${req.image}`;
    const container = await this.call(`create container for ${what}`, () =>
      this.docker.createContainer({
        Image: req.image,
        Cmd: req.cmd,
        Env: req.env,
        WorkingDir: req.workingDir,
        Labels: { [labels.run]: 'true' },
        HostConfig: {
          VolumesFrom: req.volumesFrom.map((name) => `${name}:ro`),
          Mounts: (req.imageMounts ?? []).map(imageMount),
          NetworkMode: req.network ?? 'none',
          ...(req.readOnly ? { ReadonlyRootfs: true } : {}),
          ...(req.tmpfs ? { Tmpfs: req.tmpfs } : {}),
        },
      }),
    );
    try {
      return await this.call(what, () => runToExit(this.docker, container, req));
    } finally {
      await this.#remove(container.id);
    }
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

  #remove(nameOrId: string): Promise<void> {
    return this.call(`remove container ${nameOrId}`, () => removeContainer(this.docker, nameOrId));
  }
}
