import type Docker from 'dockerode';
import { dial } from './docker-call.js';
import { engineMessage } from './engine-failure.js';

/** Podman's own API (not the Docker-compatible one) has the call; 4.0 is the oldest libpod API it serves. */
const LIBPOD = '/v4.0.0/libpod';

/**
 * `podman init` of a created container: Podman copies the image's content into the container's anonymous
 * volumes when it initialises the container, not when it creates it, so a volume container that was only
 * created would give `--volumes-from` an empty folder. The volumes are filled before the runtime is asked
 * to create the process, so for a volume container (`no-such-cmd`) the init fails after doing what is
 * needed here: that failure is expected, any other is not.
 */
export async function initPodmanContainer(docker: Docker, id: string): Promise<void> {
  try {
    await dial(docker, {
      path: `${LIBPOD}/containers/${encodeURIComponent(id)}/init?`,
      method: 'POST',
      options: {},
      statusCodes: { 204: true, 304: true, 404: 'no such container', 500: 'server error' },
    });
  } catch (error) {
    if (!/executable file not found|command that was not found/i.test(engineMessage(error))) throw error;
  }
}
