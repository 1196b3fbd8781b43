import type Docker from 'dockerode';
import { dockerCall, type DockerCall } from './docker-call.js';
import { dockerLog } from './log.js';
import type { EngineVersion } from './types.js';

/** The engine itself: is it there, which version. */
export interface EngineClient {
  /** Resolves when the engine answers; EngineError saying how to start one when it does not. */
  ping(): Promise<void>;
  version(): Promise<EngineVersion>;
}

export class DockerodeEngineClient implements EngineClient {
  readonly #docker: Docker;
  readonly #call: DockerCall;

  constructor(docker: Docker, address: string) {
    this.#docker = docker;
    this.#call = dockerCall(dockerLog('engine'), address);
  }

  async ping(): Promise<void> {
    await this.#call('ping', () => this.#docker.ping());
  }

  version(): Promise<EngineVersion> {
    return this.#call('version', async () => {
      const { Version, ApiVersion, Os, Arch } = await this.#docker.version();
      return { version: Version, apiVersion: ApiVersion, os: Os, arch: Arch };
    });
  }
}
