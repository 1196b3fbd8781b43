import type { Readable } from 'node:stream';
import type { ContainerClient } from '../docker/container-client.js';
import type { BuildRequest, ImageDetails } from '../docker/types.js';

/** The part of the Docker client the orchestrator uses (the real one is created in src/docker/). */
export interface BuildEngine {
  images: {
    inspect(tag: string): Promise<Pick<ImageDetails, 'id' | 'labels'> | undefined>;
    save(tag: string): Promise<Readable>;
    build(request: BuildRequest): Promise<{ id: string }>;
    /** Untags an image the audit rejected. */
    remove(tag: string): Promise<void>;
  };
  /** A container of the base image asks the mirror whether the lock is still installable. */
  containers: Pick<ContainerClient, 'run'>;
}
