import type { DockerClient } from '../docker/docker-client.js';
import { InterruptedError } from '../errors.js';

/** A client for the engine that answers (DOCKER_HOST or the default socket); EngineError when none does. */
export async function openEngine(): Promise<DockerClient> {
  const { createDockerClient } = await import('../docker/docker-client.js');
  const docker = createDockerClient();
  await docker.engine.ping();
  return docker;
}

/**
 * Run `work` with a signal that SIGINT/SIGTERM abort. When interrupted, `work` is left to wind down
 * (abort in-flight builds, remove containers), then the run ends with InterruptedError (exit 130).
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let received: string | undefined;
  const handler = (signal: NodeJS.Signals) => {
    received = signal;
    controller.abort(new InterruptedError(signal));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  try {
    const result = await work(controller.signal);
    if (received) throw new InterruptedError(received);
    return result;
  } catch (error) {
    if (received) throw new InterruptedError(received);
    throw error;
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
