import { finished } from 'node:stream/promises';
import type Docker from 'dockerode';

export interface ContainerIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** Starts a created container, follows its output and resolves with its exit code once all of it is read. */
export async function runToExit(docker: Docker, container: Docker.Container, io: ContainerIo): Promise<number> {
  await container.start({ abortSignal: io.signal });
  // The output through `logs --follow` from the start, not `attach`: attach hijacks the connection, so one
  // that drops looks like the end of the output, while the logs response is chunked and a drop is an error.
  const output = await container.logs({ follow: true, stdout: true, stderr: true, abortSignal: io.signal });
  docker.modem.demuxStream(output, io.stdout, io.stderr);
  const [waited] = await Promise.all([
    container.wait({ abortSignal: io.signal }),
    // The exit can be reported before the last output is read.
    finished(output, { signal: io.signal }),
  ]);
  return exitCode(waited);
}

/** The `StatusCode` of a wait's answer, checked. */
function exitCode(waited: unknown): number {
  const code = typeof waited === 'object' && waited !== null && 'StatusCode' in waited ? waited.StatusCode : undefined;
  if (typeof code !== 'number') throw new TypeError('the engine ended the wait for a container without an exit code');
  return code;
}
