import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tarStream from 'tar-stream';
import { runToExit, type ContainerIo } from './run-to-exit.js';
import { DockerodeClient, removeContainer, unlessMissing } from './docker-call.js';
import { imageMount } from './image-mount.js';
import { dockerLog } from './log.js';
import type { ImageMount } from './types.js';

/** A container whose file system changes are the product: created, inspected, run once, committed. */
export interface WorkContainerSpec {
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

export interface WorkContainerClient {
  /** Creates (does not start) the container; resolves with its id. */
  create(spec: WorkContainerSpec): Promise<string>;
  /** A regular file's content read from the container's file system (started or not), or undefined if absent. */
  readFile(id: string, path: string): Promise<Buffer | undefined>;
  /** Unpacks a tar stream into the container's file system at `path` (a folder that exists), as `docker cp` does. */
  putArchive(id: string, path: string, archive: Readable): Promise<void>;
  /** Starts the container with its output attached; resolves with the exit code. */
  run(id: string, io: ContainerIo): Promise<number>;
  /** `docker commit` without a tag; resolves with the new image's id. */
  commit(id: string): Promise<string>;
  /** Removes the container (killing it if running) and its anonymous volumes; already gone is fine. */
  remove(id: string): Promise<void>;
  /** Whether the engine has a network of this name (this machine's engine has no `bridge`). */
  hasNetwork(name: string): Promise<boolean>;
}

/** Bigger files are not what readFile is for (it reads `/etc/passwd`). */
const MAX_READ_BYTES = 4 * 1024 * 1024;

export class DockerodeWorkContainerClient extends DockerodeClient implements WorkContainerClient {
  constructor(docker: Docker, address: string) {
    super(docker, address, dockerLog('work-containers'));
  }

  create(spec: WorkContainerSpec): Promise<string> {
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
      return archive && firstFile(archive as Readable);
    });
  }

  putArchive(id: string, path: string, archive: Readable): Promise<void> {
    return this.call(`copy files into container ${id}`, async () => {
      await this.docker.getContainer(id).putArchive(archive, { path });
    });
  }

  run(id: string, io: ContainerIo): Promise<number> {
    return this.call(`run container ${id}`, () => runToExit(this.docker, this.docker.getContainer(id), io));
  }

  commit(id: string): Promise<string> {
    return this.call(`commit container ${id}`, async () => {
      const { Id } = (await this.docker.getContainer(id).commit({})) as { Id: string };
      return Id;
    });
  }

  remove(id: string): Promise<void> {
    return this.call(`remove container ${id}`, () => removeContainer(this.docker, id));
  }

  hasNetwork(name: string): Promise<boolean> {
    return this.call(`look for network ${name}`, async () => {
      const networks = await this.docker.listNetworks({ filters: { name: [name] } });
      return networks.some((n) => n.Name === name);
    });
  }
}

/** The first regular file of a tar stream (a getArchive of a file holds just that file); undefined for others. */
async function firstFile(archive: Readable): Promise<Buffer | undefined> {
  const extract = tarStream.extract();
  archive.pipe(extract);
  try {
    for await (const entry of extract) {
      if (entry.header.type !== 'file' || (entry.header.size ?? 0) > MAX_READ_BYTES) return undefined;
      return Buffer.concat(await toArray(entry));
    }
    return undefined;
  } finally {
    archive.unpipe(extract);
    archive.destroy();
    extract.destroy();
  }
}

async function toArray(entry: AsyncIterable<unknown>): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return chunks;
}
