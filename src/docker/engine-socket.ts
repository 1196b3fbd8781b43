import { existsSync } from 'node:fs';

/** Where dockerd listens by default: the engine asked when nothing says otherwise. */
export const DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * The socket to use when neither a socket nor DOCKER_HOST is given: Docker's, else a Podman service's (the
 * root one, `podman system service` or podman.socket, then the user's under XDG_RUNTIME_DIR), else Docker's
 * again, so that an absent engine is reported at the address people expect.
 */
export function defaultSocket(
  env: NodeJS.ProcessEnv = process.env,
  exists: (file: string) => boolean = existsSync,
): string {
  const podman = ['/run/podman/podman.sock'];
  if (env.XDG_RUNTIME_DIR) podman.push(`${env.XDG_RUNTIME_DIR}/podman/podman.sock`);
  return [DOCKER_SOCKET, ...podman].find(exists) ?? DOCKER_SOCKET;
}
