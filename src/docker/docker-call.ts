import { Readable } from 'node:stream';
import type { Debugger } from 'debug';
import type Docker from 'dockerode';
import { isRemovalInProgress, statusOf, translateFailure } from './engine-failure.js';

/** Runs one Docker call: logged "doing / done / failed", failures translated (see translateFailure). */
export type DockerCall = <T>(what: string, call: () => Promise<T>) => Promise<T>;

export function dockerCall(log: Debugger, address: string): DockerCall {
  return async (what, call) => {
    log('doing %s', what);
    try {
      const result = await call();
      log('done %s', what);
      return result;
    } catch (error) {
      const failure = translateFailure(error, what, address);
      log('failed %s: %s', what, failure.message);
      throw failure;
    }
  };
}

/** What every client over dockerode holds: the dockerode handle, and its calls logged under its own name. */
export abstract class DockerodeClient {
  protected readonly docker: Docker;
  protected readonly call: DockerCall;

  protected constructor(docker: Docker, address: string, log: Debugger) {
    this.docker = docker;
    this.call = dockerCall(log, address);
  }
}

/** The call's result, or undefined when the engine answers 404: it has no such image, container or path. */
export async function unlessMissing<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Removes a container (killing it if running) and its anonymous volumes; gone or going already is fine. */
export async function removeContainer(docker: Docker, nameOrId: string): Promise<void> {
  try {
    await docker.getContainer(nameOrId).remove({ force: true, v: true });
  } catch (error) {
    if (statusOf(error) !== 404 && !isRemovalInProgress(error)) throw error;
  }
}

/**
 * dockerode's stream results are typed as NodeJS.ReadableStream (or any); the ones it gives are HTTP responses,
 * which are node Readables. Checked, not cast, so a change in dockerode fails here with a clear message.
 */
export function readable(value: unknown, what: string): Readable {
  if (value instanceof Readable) return value;
  throw new TypeError(`${what}: the engine's answer is not a stream`);
}

/** A raw Engine API call through dockerode's modem, for the endpoints dockerode's types lack. */
export function dial(docker: Docker, options: Parameters<Docker['modem']['dial']>[0]): Promise<unknown> {
  return new Promise((resolve, reject) =>
    docker.modem.dial(options, (error, data) => (error ? reject(error) : resolve(data))),
  );
}
