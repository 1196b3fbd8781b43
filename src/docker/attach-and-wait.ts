import { finished } from 'node:stream/promises';
import type Docker from 'dockerode';

export interface ContainerIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** Attaches to a created container, starts it and resolves with its exit code once all its output is read. */
export async function attachAndWait(docker: Docker, container: Docker.Container, io: ContainerIo): Promise<number> {
  const output = await container.attach({ stream: true, stdout: true, stderr: true, abortSignal: io.signal });
  docker.modem.demuxStream(output, io.stdout, io.stderr);
  const [{ StatusCode }] = await Promise.all([
    container
      .start({ abortSignal: io.signal })
      .then(() => container.wait({ abortSignal: io.signal }) as Promise<{ StatusCode: number }>),
    // The exit can be reported before the last output is read.
    finished(output, { signal: io.signal }),
  ]);
  return StatusCode;
}
