import type { Readable } from 'node:stream';
import type { DockerClient } from '../docker/docker-client.js';
import type { ContainerIo } from '../docker/run-to-exit.js';
import type { ContainerSpec, EngineVersion, ImageDetails } from '../docker/types.js';
import type { Distro, ImageModel, Strategy } from '../manifest/model.js';
import type { MountMode } from '../mounts/mount-mode.js';
import { prepareMounts, type PreparedMounts } from '../mounts/prepare-mounts.js';

/**
 * The part of an engine a provisioning run uses, as narrow as the orchestrator's BuildEngine: the phases are
 * written against it, and their orchestration is unit tested on a fake.
 */
export interface ProvisionEngine {
  engine: {
    version(): Promise<EngineVersion>;
    hasNetwork(name: string): Promise<boolean>;
  };
  images: {
    details(ref: string): Promise<ImageDetails | undefined>;
    save(id: string): Promise<Readable>;
    load(archive: Readable, signal?: AbortSignal): Promise<string[]>;
    tag(id: string, ref: string): Promise<void>;
    remove(ref: string): Promise<void>;
    withLabel(label: string, value: string): Promise<string[]>;
    pull(ref: string): Promise<void>;
  };
  containers: {
    create(spec: ContainerSpec): Promise<string>;
    putArchive(id: string, path: string, archive: Readable): Promise<void>;
    readFile(id: string, path: string): Promise<Buffer | undefined>;
    run(id: string, io: ContainerIo): Promise<number>;
    commit(id: string): Promise<string>;
    remove(id: string): Promise<void>;
  };
  /** The dappdeps images (of the suite `distro`) made mountable: volume containers created or reused, or image mounts checked. */
  prepareMounts(
    distro: Distro,
    images: readonly ImageModel[],
    strategy: Strategy,
    mode: MountMode,
  ): Promise<PreparedMounts>;
}

/** The real engine behind the port. */
export function provisionEngine(docker: DockerClient): ProvisionEngine {
  const { engine, images, containers } = docker;
  return {
    engine: {
      version: () => engine.version(),
      hasNetwork: (name) => engine.hasNetwork(name),
    },
    images: {
      details: (ref) => images.inspect(ref),
      save: (id) => images.save(id),
      load: (archive, signal) => images.load(archive, signal),
      tag: (id, ref) => images.tag(id, ref),
      remove: (ref) => images.remove(ref),
      withLabel: (label, value) => images.withLabel(label, value),
      pull: (ref) => images.pull(ref),
    },
    containers: {
      create: (spec) => containers.create(spec),
      putArchive: (id, dir, archive) => containers.putArchive(id, dir, archive),
      readFile: (id, file) => containers.readFile(id, file),
      run: (id, io) => containers.start(id, io),
      commit: (id) => containers.commit(id),
      remove: (id) => containers.remove(id),
    },
    prepareMounts: (suite, list, strategy, mode) => prepareMounts(docker, suite, list, strategy, mode),
  };
}
