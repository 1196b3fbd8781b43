import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { labels } from '../labels.js';
import { DockerodeClient, readable, removeContainer, unlessMissing } from './docker-call.js';
import { firstFile } from './first-file.js';
import { imageMount } from './image-mount.js';
import { dockerLog } from './log.js';
import { runToExit, type ContainerIo } from './run-to-exit.js';
import type { ContainerSpec, ContainerSummary, RunRequest } from './types.js';

/** Containers: one-shot runs, and containers whose file system changes are the product (created, run, committed). */
export interface ContainerClient {
  /**
   * Runs `cmd` in a new container of `image` with the volume containers mounted read-only and no network (unless asked);
   * resolves with its exit code. The container is removed afterwards, also on failure and abort.
   */
  run(req: RunRequest): Promise<number>;
  /** Creates (does not start) the container; resolves with its id. */
  create(spec: ContainerSpec): Promise<string>;
  /** A regular file's content read from the container's file system (started or not), or undefined if absent. */
  readFile(id: string, path: string): Promise<Buffer | undefined>;
  /** Unpacks a tar stream into the container's file system at `path` (a folder that exists), as `docker cp` does. */
  putArchive(id: string, path: string, archive: Readable): Promise<void>;
  /** Starts a created container with its output attached; resolves with the exit code. */
  start(id: string, io: ContainerIo): Promise<number>;
  /** `docker commit` without a tag; resolves with the new image's id. */
  commit(id: string): Promise<string>;
  /** Removes the container (killing it if running) and its anonymous volumes; already gone is fine. */
  remove(id: string): Promise<void>;
  /** All containers, in any state, having `label` (`key` or `key=value`). */
  listByLabel(label: string): Promise<ContainerSummary[]>;
}

export class DockerodeContainerClient extends DockerodeClient implements ContainerClient {
  constructor(docker: Docker, address: string) {
    super(docker, address, dockerLog('containers'));
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
      await this.remove(container.id);
    }
  }

  create(spec: ContainerSpec): Promise<string> {
    return this.call(`create container ${spec.name} from ${spec.image}`, async () => {
      const container = await this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        // The entrypoint too: the image's own ENTRYPOINT must not wrap the command.
        Entrypoint: spec.cmd.slice(0, 1),
        Cmd: spec.cmd.slice(1),
        // The image's health check has nothing to check in a container that runs a playbook.
        Healthcheck: { Test: ['NONE'] },
        Env: spec.env,
        Labels: spec.labels,
        AttachStdout: true,
        AttachStderr: true,
        HostConfig: {
          VolumesFrom: spec.volumesFrom.map((name) => `${name}:ro`),
          Mounts: (spec.imageMounts ?? []).map(imageMount),
          Binds: spec.binds,
          Tmpfs: spec.tmpfs,
          NetworkMode: spec.network,
        },
      });
      return container.id;
    });
  }

  readFile(id: string, path: string): Promise<Buffer | undefined> {
    return this.call(`read ${path} in container ${id}`, async () => {
      const archive = await unlessMissing(() => this.docker.getContainer(id).getArchive({ path }));
      return archive && firstFile(readable(archive, `read ${path}`));
    });
  }

  putArchive(id: string, path: string, archive: Readable): Promise<void> {
    return this.call(`copy files into container ${id}`, async () => {
      await this.docker.getContainer(id).putArchive(archive, { path });
    });
  }

  start(id: string, io: ContainerIo): Promise<number> {
    return this.call(`run container ${id}`, () => runToExit(this.docker, this.docker.getContainer(id), io));
  }

  commit(id: string): Promise<string> {
    return this.call(`commit container ${id}`, async () => {
      const answer: unknown = await this.docker.getContainer(id).commit({});
      const Id = typeof answer === 'object' && answer !== null && 'Id' in answer ? answer.Id : undefined;
      if (typeof Id !== 'string') throw new TypeError(`commit of container ${id}: the engine reported no image id`);
      return Id;
    });
  }

  remove(id: string): Promise<void> {
    return this.call(`remove container ${id}`, () => removeContainer(this.docker, id));
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
}
