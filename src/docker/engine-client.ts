import type Docker from 'dockerode';
import { DockerodeClient } from './docker-call.js';
import { dockerLog } from './log.js';
import type { EngineProduct, EngineVersion } from './types.js';

/** The engine itself: is it there, which version, which networks. */
export interface EngineClient {
  /** Resolves when the engine answers; EngineError saying how to start one when it does not. */
  ping(): Promise<void>;
  /** Asked once per client: the engine behind a socket does not change during a run. */
  version(): Promise<EngineVersion>;
  /** Whether the engine has a network of this name (this machine's engine has no `bridge`). */
  hasNetwork(name: string): Promise<boolean>;
}

export class DockerodeEngineClient extends DockerodeClient implements EngineClient {
  #version: Promise<EngineVersion> | undefined;

  constructor(docker: Docker, address: string) {
    super(docker, address, dockerLog('engine'));
  }

  async ping(): Promise<void> {
    await this.call('ping', () => this.docker.ping());
  }

  version(): Promise<EngineVersion> {
    this.#version ??= this.call('version', async () => {
      const { Version, ApiVersion, Os, Arch, Components } = await this.docker.version();
      return { product: productOf(Components), version: Version, apiVersion: ApiVersion, os: Os, arch: Arch };
    });
    // A failed answer is not kept: the next caller asks again.
    this.#version.catch(() => (this.#version = undefined));
    return this.#version;
  }

  hasNetwork(name: string): Promise<boolean> {
    return this.call(`look for network ${name}`, async () => {
      const networks = await this.docker.listNetworks({ filters: { name: [name] } });
      return networks.some((n) => n.Name === name);
    });
  }
}

/** Podman's service names itself in the components of its version ("Podman Engine"); dockerd says "Engine". */
export function productOf(components: readonly { Name?: string }[] | undefined): EngineProduct {
  return (components ?? []).some((c) => /^podman\b/i.test(c.Name ?? '')) ? 'podman' : 'docker';
}
