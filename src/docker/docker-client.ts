import Docker from 'dockerode';
import { DockerodeContainerClient, type ContainerClient } from './container-client.js';
import { DockerodeEngineClient, type EngineClient } from './engine-client.js';
import { engineConnection, type EngineConnection } from './engine-connection.js';
import { EngineError } from '../errors.js';
import { DockerodeImageClient, type ImageClient } from './image-client.js';
import { DockerodeVolumeClient, type VolumeClient } from './volume-client.js';

/** Everything dappdeps asks of a Docker engine, one client per resource. Passed explicitly, never global. */
export interface DockerClient {
  /** Where the engine is expected (for messages), e.g. `unix:///var/run/docker.sock`. */
  readonly address: string;
  readonly engine: EngineClient;
  readonly images: ImageClient;
  readonly containers: ContainerClient;
  readonly volumes: VolumeClient;
}

export interface DockerClientOptions {
  /** A Unix socket to use instead of DOCKER_HOST or the default socket. */
  socketPath?: string;
}

/**
 * A client for the engine at `socketPath`, else at DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH, ssh://: see engineConnection), else at Docker's socket, else at a Podman service's
 * socket (see defaultSocket). Docker and Podman (its Docker-compatible API) are both served by these clients.
 * Connects lazily: an absent engine shows up as an EngineError from the first call (`engine.ping()` to check
 * up front).
 */
export function createDockerClient(options: DockerClientOptions = {}): DockerClient {
  const connection = engineConnection(options.socketPath);
  const docker = newDocker(connection);
  const { address } = connection;
  const engine = new DockerodeEngineClient(docker, address);
  const images = new DockerodeImageClient(docker, address, engine);
  return {
    address,
    engine,
    images,
    containers: new DockerodeContainerClient(docker, address),
    volumes: new DockerodeVolumeClient(docker, address, images, engine),
  };
}

/** docker-modem still reads DOCKER_HOST's files itself (DOCKER_CERT_PATH without DOCKER_TLS_VERIFY, say). */
function newDocker(connection: EngineConnection): Docker {
  try {
    return new Docker(connection.options);
  } catch (error) {
    throw new EngineError(`cannot use the engine at ${connection.address}: ${String(error)}`, {
      cause: error,
      hint: 'check DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH',
    });
  }
}
